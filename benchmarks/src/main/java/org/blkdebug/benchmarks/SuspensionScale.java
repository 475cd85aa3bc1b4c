package org.blkdebug.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;

/**
 * A million requests suspended at once: each a 512-byte read on a memory image, each parked at
 * its own {@code break read_aio TAG}. Prints the time from the first submission until all are
 * suspended and the device is quiescent, the time to resume them all and see every one
 * complete, and the heap each suspended request holds.
 *
 * <p>Why the breakpoints are armed one at a time: a breakpoint is one-shot, and one request that
 * fires {@code read_aio} takes <em>every</em> breakpoint armed on it (QEMU's
 * {@code blkdebug_co_debug_event} walks the whole rule list and suspends once per hit). So a
 * million breakpoints armed up front would park the first request a million times. Instead the
 * submitter arms one breakpoint, submits one read, and arms the next once the listener has seen
 * that read suspended — a hand-off between two virtual threads, no sleeping.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks.jar org.blkdebug.benchmarks.SuspensionScale [N] [shared|distinct|probed|jdk [DEPTH]]
 * </pre>
 * {@code shared}: every request under tag {@code A} (resumed newest first, one {@code resume A}
 * each); {@code distinct}: tag {@code tN} for request N (one {@code resume tN} each);
 * {@code probed}: as shared, on the shell's default stack for an image given without {@code -f}
 * (a 1 MiB file in the temp directory, format probed: the raw node then aligns requests to 512
 * bytes, so every request is a tracked request of that node while it is suspended); {@code jdk}:
 * the same park/unpark pattern on bare virtual threads, no engine — the JVM's floor.
 */
public final class SuspensionScale {
    private SuspensionScale() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        String mode = args.length > 1 ? args[1] : "shared";
        if (mode.equals("jdk")) {
            jdkFloor(n, args.length > 2 ? Integer.parseInt(args[2]) : 12);
        } else {
            run(n, mode.equals("distinct"), mode.equals("probed"), true);
        }
    }

    /** Java frames on a suspended request's stack (the listener's caller chain, plus Waiter.park's). */
    private static volatile long framesAtPark;

    static void run(int n, boolean distinct, boolean probed, boolean print) throws Exception {
        AtomicLong suspendedCount = new AtomicLong();
        BlkDebugListener counting = new BlkDebugListener() {
            @Override
            public void suspended(String tag, boolean afterYield) {
                if (suspendedCount.getAndIncrement() == 0) {
                    framesAtPark = StackWalker.getInstance().walk(s -> s.count()) + 4; // + park's own
                }
            }
        };
        // the callers' data: one 512-byte array shared by every request's ByteBuffer view, so the
        // heap figure is the engine's (plus a 48-byte buffer view and the future the caller keeps)
        byte[] data = new byte[512];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] futures = new CompletableFuture[n];
        String[] tags = new String[n];
        for (int i = 0; i < n; i++) {
            tags[i] = distinct ? "t" + i : "A";
        }
        java.nio.file.Path image = null;
        if (probed) {
            image = java.nio.file.Files.createTempFile("suspension-scale", ".img");
            java.nio.file.Files.write(image, new byte[1 << 20]);
        }
        try (Device dev = probed
                ? BlkDebug.open(org.blkdebug.engine.config.DeviceSpecs.parseFilename("blkdebug::" + image, null),
                        org.blkdebug.engine.OpenOptions.defaults().withListener(counting))
                : BlkDebug.builder().memory(1 << 20).listener(counting).open()) {
            long before = usedHeapAfterGc();

            long t0 = System.nanoTime();
            Thread submitter = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        dev.breakpoint(Event.READ_AIO, tags[i]);
                        futures[i] = dev.readAsync((i & 2047) * 512L,
                                new ByteBuffer[] {ByteBuffer.wrap(data)}, null);
                        // the next breakpoint only once this read has taken this one
                        while (suspendedCount.get() <= i) {
                            Thread.yield();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            submitter.join();
            if (!dev.awaitQuiescence(Duration.ofSeconds(60))) {
                throw new IllegalStateException("not quiescent");
            }
            long t1 = System.nanoTime();
            if (suspendedCount.get() != n || dev.requests().size() != n) {
                throw new IllegalStateException("suspended " + suspendedCount.get() + ", in flight "
                        + dev.requests().size());
            }

            long after = usedHeapAfterGc();

            long t2 = System.nanoTime();
            Runnable resumeAll = () -> {
                try {
                    for (int i = n - 1; i >= 0; i--) {
                        dev.resume(tags[i]);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Thread.ofVirtual().start(resumeAll).join(); // a platform thread measured the same
            for (CompletableFuture<Void> f : futures) {
                f.join();
            }
            long t3 = System.nanoTime();
            if (dev.awaitQuiescence(Duration.ofSeconds(10)) && !dev.requests().isEmpty()) {
                throw new IllegalStateException("left in flight: " + dev.requests().size());
            }
            if (print) {
                System.out.printf("requests            %,d (%s tags, 512-byte reads, %s)%n", n,
                        distinct ? "distinct" : "one shared",
                        probed ? "file image, format probed: raw aligned to 512" : "memory image");
                System.out.printf("suspend all         %.2f s  (%.2f us/request: submit → all suspended, quiescent)%n",
                        (t1 - t0) / 1e9, (t1 - t0) / 1e3 / n);
                System.out.printf("resume + complete   %.2f s  (%.2f us/request: first resume → every future done)%n",
                        (t3 - t2) / 1e9, (t3 - t2) / 1e3 / n);
                System.out.printf("frames at park      ~%d (virtual thread stack, as the listener sees it)%n",
                        framesAtPark);
                System.out.printf("heap per suspended  %.0f bytes (%.1f MiB in all, used heap after GC)%n",
                        (after - before) / (double) n, (after - before) / 1048576.0);
            }
        } finally {
            if (image != null) {
                java.nio.file.Files.deleteIfExists(image);
            }
        }
    }

    /**
     * The JVM's floor for the same pattern without the engine: n virtual threads, each parked
     * {@code depth} frames deep on a flag (one hand-off per park, as above), then unparked newest
     * first and joined through a future, with the engine's two precautions against deoptimizing
     * every woken thread (see docs/perf-notes/scale-and-micro.md).
     */
    static void jdkFloor(int n, int depth) throws Exception {
        final class Parked {
            volatile boolean released;
            Thread thread;
        }
        Parked[] all = new Parked[n];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] futures = new CompletableFuture[n];
        AtomicLong parked = new AtomicLong();
        // as the engine does before its first request (BlockDevice): one virtual thread that has
        // ended loads the classes of the exit path, or every parked thread deoptimizes there
        Thread.ofVirtual().start(() -> { }).join();
        long before = usedHeapAfterGc();
        long t0 = System.nanoTime();
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < n; i++) {
                Parked p = new Parked();
                all[i] = p;
                CompletableFuture<Void> f = new CompletableFuture<>();
                futures[i] = f;
                Thread.ofVirtual().start(() -> {
                    parkDeep(depth, () -> {
                        p.thread = Thread.currentThread();
                        parked.incrementAndGet();
                        do { // park first, test after: as Waiter#park, for the same reason
                            java.util.concurrent.locks.LockSupport.park();
                        } while (!p.released);
                    });
                    f.complete(null);
                });
                while (parked.get() <= i) {
                    Thread.yield();
                }
            }
        }).join();
        long t1 = System.nanoTime();
        long after = usedHeapAfterGc();
        long t2 = System.nanoTime();
        Thread.ofVirtual().start(() -> {
            for (int i = n - 1; i >= 0; i--) {
                all[i].released = true;
                java.util.concurrent.locks.LockSupport.unpark(all[i].thread);
            }
        }).join();
        for (CompletableFuture<Void> f : futures) {
            f.join();
        }
        long t3 = System.nanoTime();
        System.out.printf("requests            %,d bare virtual threads parked %d frames deep (no engine)%n", n, depth);
        System.out.printf("park all            %.2f s  (%.2f us each)%n", (t1 - t0) / 1e9, (t1 - t0) / 1e3 / n);
        System.out.printf("unpark + complete   %.2f s  (%.2f us each)%n", (t3 - t2) / 1e9, (t3 - t2) / 1e3 / n);
        System.out.printf("heap per parked     %.0f bytes%n", (after - before) / (double) n);
    }

    private static void parkDeep(int depth, Runnable park) {
        if (depth > 0) {
            parkDeep(depth - 1, park);
        } else {
            park.run();
        }
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
