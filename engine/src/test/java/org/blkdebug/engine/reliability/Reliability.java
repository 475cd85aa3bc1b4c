package org.blkdebug.engine.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.sun.management.HotSpotDiagnosticMXBean;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;

/**
 * Shared helpers of the reliability tests: seeds that are printed and accepted back, bounded
 * waits that dump every thread (virtual ones included) before failing, and sector patterns
 * that say which write put them there.
 */
final class Reliability {
    /** The bound on any single wait in these tests. */
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int SECTOR = 512;

    private Reliability() {
    }

    // ---- seeds -----------------------------------------------------------------------------------

    /** {@code -Dtests.seed=N} or a fresh seed; printed either way so a failure can be replayed. */
    static long seed(String test) {
        String given = System.getProperty("tests.seed");
        long seed = given == null || given.isBlank() ? System.nanoTime() ^ Thread.currentThread().threadId()
                : Long.parseLong(given.trim());
        System.out.println(test + ": seed " + seed + " (replay with -Dtests.seed=" + seed + ")");
        return seed;
    }

    static int intProperty(String name, int dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    /** Runs {@code body}; any failure is rethrown with the seed in front of its message. */
    static void withSeed(long seed, ThrowingRunnable body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            AssertionError e = new AssertionError("[seed " + seed + ", replay with -Dtests.seed=" + seed + "] "
                    + t, t);
            throw e;
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---- bounded waits -----------------------------------------------------------------------------

    /** Waits for {@code f} at most {@link #WAIT}; on timeout dumps all threads and fails. */
    static <T> T await(Future<T> f, String what) throws InterruptedException, ExecutionException {
        return await(f, WAIT, what);
    }

    static <T> T await(Future<T> f, Duration d, String what) throws InterruptedException, ExecutionException {
        try {
            return f.get(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw hung(what + " did not finish within " + d);
        }
    }

    /** The request's outcome: 0 on success, else its errno. Fails (with a dump) when it hangs. */
    static int outcome(CompletableFuture<?> f, String what) throws InterruptedException {
        try {
            await(f, what);
            return 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BlockException be) {
                return be.errno();
            }
            throw new AssertionError(what + " failed with something that is not a BlockException", e.getCause());
        }
    }

    static void awaitAll(Collection<? extends CompletableFuture<?>> fs, Duration d, String what)
            throws InterruptedException {
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).get(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ignored) {
            // individual outcomes are checked by the caller
        } catch (TimeoutException e) {
            long open = fs.stream().filter(f -> !f.isDone()).count();
            throw hung(what + ": " + open + " of " + fs.size() + " not finished within " + d);
        }
    }

    static void awaitQuiescence(Device dev, String what) throws InterruptedException {
        if (!dev.awaitQuiescence(WAIT)) {
            throw hung(what + ": no quiescence within " + WAIT + "; in flight: " + dev.requests());
        }
    }

    static void join(Thread t, String what) throws InterruptedException {
        if (!t.join(WAIT)) {
            throw hung(what + " (thread " + t + ") still running after " + WAIT);
        }
    }

    /** A failure for a hang: prints a dump of every thread, virtual threads included, first. */
    static AssertionError hung(String message) {
        System.err.println("HUNG: " + message);
        System.err.println(threadDump());
        return new AssertionError(message + " (thread dump on stderr)");
    }

    /** All threads including virtual ones, via HotSpotDiagnosticMXBean.dumpThreads (JDK 21+). */
    static String threadDump() {
        try {
            Path file = Files.createTempFile("blkdebug-threads", ".txt");
            Files.delete(file); // dumpThreads refuses to overwrite
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            String dump = Files.readString(file);
            Files.deleteIfExists(file);
            return dump;
        } catch (IOException | RuntimeException e) {
            StringBuilder sb = new StringBuilder("(dumpThreads failed: " + e + "; platform threads only)\n");
            Thread.getAllStackTraces().forEach((t, st) -> {
                sb.append(t).append('\n');
                for (StackTraceElement el : st) {
                    sb.append("    at ").append(el).append('\n');
                }
            });
            return sb.toString();
        }
    }

    // ---- sector patterns ---------------------------------------------------------------------------

    /**
     * A sector as write {@code writeId} leaves it at sector number {@code sector}: one long,
     * {@code writeId << 24 | sector}, repeated. A misplaced or mixed sector decodes to nothing.
     */
    static long stamp(long writeId, long sector) {
        return writeId << 24 | sector;
    }

    static ByteBuffer stamped(long writeId, long firstSector, int sectors) {
        ByteBuffer b = ByteBuffer.allocate(sectors * SECTOR);
        for (int s = 0; s < sectors; s++) {
            long v = stamp(writeId, firstSector + s);
            for (int i = 0; i < SECTOR / Long.BYTES; i++) {
                b.putLong(v);
            }
        }
        return b.flip();
    }

    /** The stamp of a sector in {@code image}, or -1 when its longs are not all equal (torn). */
    static long stampAt(byte[] image, int sector) {
        ByteBuffer b = ByteBuffer.wrap(image, sector * SECTOR, SECTOR);
        long first = b.getLong();
        while (b.hasRemaining()) {
            if (b.getLong() != first) {
                return -1;
            }
        }
        return first;
    }

    static ByteBuffer filled(int len, int value) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    /** The image bytes straight from the backend, past every rule. */
    static byte[] image(Backend backend, long offset, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        backend.read(offset, IoVec.of(b));
        return b.array();
    }

    static byte[] read(Device dev, long offset, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        dev.read(offset, b);
        return b.array();
    }
}
