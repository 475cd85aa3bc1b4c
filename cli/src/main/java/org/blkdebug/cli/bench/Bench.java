package org.blkdebug.cli.bench;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.config.DeviceSpecs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code blkdebug bench}: qemu-img bench's sequential I/O benchmark, options and output, through
 * a blkdebug device. Every request runs on its own virtual thread; {@code -d} requests are in
 * flight, and each completion submits the next request from its own virtual thread, so no
 * platform thread is woken per request.
 *
 * <p>{@code --backend-only} runs the same loop straight on the image file (FileChannel, one
 * virtual thread per request, no engine): the baseline for the pass-through overhead.
 * {@code --repeat N} runs N times in one process and prints each run's time.
 */
@Command(name = "bench", sortOptions = false, usageHelpAutoWidth = true,
        description = "Run a simple sequential I/O benchmark on the specified image (qemu-img bench).")
public final class Bench implements Callable<Integer> {
    @Option(names = "-c", paramLabel = "count", description = "number of requests (default 75000)")
    String countArg = "75000";
    int count;
    @Option(names = "-d", paramLabel = "depth", description = "requests in flight (default 64)")
    String depthArg = "64";
    int depth;
    @Option(names = "-f", paramLabel = "fmt", description = "image format: raw (default) or qcow2")
    String format;
    @Option(names = "--flush-interval", paramLabel = "flush_interval", description = "flush every N writes")
    int flushInterval;
    @Option(names = "--no-drain", description = "do not wait for in-flight requests before a flush")
    boolean noDrain;
    @Option(names = "-i", paramLabel = "aio", description = "accepted for compatibility (threads|native|io_uring)")
    String aio;
    @Option(names = "-n", description = "disable the host cache (same as -t none)")
    boolean nocache;
    @Option(names = "-o", paramLabel = "offset", description = "start offset (default 0; k, M, G… suffixes)")
    String offsetArg = "0";
    long offset;
    @Option(names = "--pattern", paramLabel = "pattern", description = "byte written by a write test")
    int pattern;
    @Option(names = "-q", description = "quiet (accepted, as qemu-img's)")
    boolean quiet;
    @Option(names = "-s", paramLabel = "buffer_size", description = "bytes per request (default 4096)")
    String bufsizeArg = "4096";
    int bufsize;
    @Option(names = "-S", paramLabel = "step_size", description = "offset step (default: buffer size)")
    String stepArg = "0";
    long step;
    @Option(names = "-t", paramLabel = "cache", description = "cache mode (default writeback)")
    String cache;
    @Option(names = "-w", description = "write test (default: read)")
    boolean write;
    @Option(names = "-U", description = "accepted for compatibility (no locking)")
    boolean noLock;
    @Option(names = "--backend-only", description = "baseline: the same loop on the image file, without the engine")
    boolean backendOnly;
    @Option(names = "--repeat", paramLabel = "N", description = "run N times in this process, printing each time")
    int repeat = 1;
    @Option(names = "--compare", paramLabel = "N",
            description = "N rounds alternating the image through blkdebug and without it (--against); prints medians and their ratio")
    int compare;
    @Option(names = "--against", paramLabel = "plain|bare|volatile-off",
            description = "for --compare: 'plain' = the same image opened without blkdebug (the filter's cost, default), "
                    + "'bare' = FileChannel calls on one virtual thread per request, no engine at all, "
                    + "'volatile-off' = the same device without the disk's volatile cache, the blkdebug arm with it "
                    + "(the power-loss model's cost); write rounds end with a flush, timed")
    String against = "plain";
    @Option(names = "--volatile", description = "with the disk's volatile write cache below blkdebug (docs/faults.md); "
            + "off by default, so that the request path is measured as before")
    boolean volatileCache;
    @Parameters(index = "0", paramLabel = "filename")
    String filename;

    private final PrintStream out;
    private final PrintStream err;

    private Bench(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code blkdebug bench ARGS}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Bench(out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("qemu-img: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        String problem = validate();
        if (problem != null) {
            err.println("qemu-img: " + problem);
            return 1;
        }
        if (step == 0) {
            step = bufsize;
        }
        if (count == 0) {
            // nothing to send: qemu-img prints both lines and succeeds
            out.printf(Locale.ROOT, "Sending 0 %s requests, %d bytes each, %d in parallel "
                    + "(starting at offset %d, step size %d)%nRun completed in 0.000 seconds.%n",
                    write ? "write" : "read", bufsize, depth, offset, step);
            return 0;
        }
        String mode = cache != null ? cache : nocache ? "none" : "writeback";
        CacheMode cacheMode = CacheMode.byName(mode).orElse(null);
        if (cacheMode == null) {
            err.println("qemu-img: Invalid cache mode");
            return 1;
        }
        if (compare > 0) {
            return compare(cacheMode);
        }
        Target target;
        try {
            target = backendOnly ? FileTarget.open(plainPath(filename), write)
                    : DeviceTarget.open(filename, format, cacheMode, volatileCache);
        } catch (OpenException e) {
            err.println("qemu-img: Could not open '" + filename + "': " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            err.println("qemu-img: Could not open '" + filename + "': " + e.getMessage());
            return 1;
        }
        try (target) {
            for (int i = 0; i < repeat; i++) {
                out.printf(Locale.ROOT, "Sending %d %s requests, %d bytes each, %d in parallel "
                        + "(starting at offset %d, step size %d)%n", count, write ? "write" : "read", bufsize,
                        depth, offset, step);
                if (flushInterval > 0) {
                    out.printf(Locale.ROOT, "Sending flush every %d requests%n", flushInterval);
                }
                long t0 = System.nanoTime();
                String failure = runOnce(target);
                long t1 = System.nanoTime();
                if (failure != null) {
                    err.println("qemu-img: Failed request: " + failure);
                    return 1;
                }
                out.printf(Locale.ROOT, "Run completed in %.3f seconds.%n", (t1 - t0) / 1e9);
            }
        } catch (Exception e) {
            err.println("qemu-img: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    /** Target 1 of docs/performance.md: the engine against the bare file, A and B alternating. */
    private int compare(CacheMode cacheMode) {
        if (!against.equals("plain") && !against.equals("bare") && !against.equals("volatile-off")) {
            err.println("qemu-img: --against takes plain, bare or volatile-off");
            return 1;
        }
        String image = plainPath(filename);
        boolean volatileArm = against.equals("volatile-off");
        try (Target engine = DeviceTarget.open(filename, format, cacheMode, volatileArm || volatileCache);
             Target bare = switch (against) {
                 case "bare" -> FileTarget.open(image, write);
                 case "volatile-off" -> DeviceTarget.open(filename, format, cacheMode, false);
                 // the same format without blkdebug below it
                 default -> DeviceTarget.open(image, format == null ? "raw" : format, cacheMode, volatileCache);
             }) {
            double[] a = new double[compare];
            double[] b = new double[compare];
            timed(engine); // one warm-up each: the ratio is about steady state
            timed(bare);
            for (int i = 0; i < compare; i++) {
                a[i] = timed(engine);
                b[i] = timed(bare);
                out.printf(Locale.ROOT, "round %d: blkdebug %.3f s, %s %.3f s%n", i + 1, a[i], against, b[i]);
            }
            double ma = median(a);
            double mb = median(b);
            out.printf(Locale.ROOT, "median: blkdebug %.3f s (%.0f IOPS), %s %.3f s (%.0f IOPS); "
                    + "blkdebug/%s throughput %.3f%n", ma, count / ma, against, mb, count / mb, against, mb / ma);
            return 0;
        } catch (Exception e) {
            err.println("qemu-img: " + e.getMessage());
            return 1;
        }
    }

    private double timed(Target t) throws InterruptedException {
        long t0 = System.nanoTime();
        String failure = runOnce(t);
        if (failure != null) {
            throw new IllegalStateException("Failed request: " + failure);
        }
        if (write) {
            // the round's data reaches the image within the round, cache or not (and the
            // volatile cache starts the next round empty)
            t.flush();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static final String SUFFIXES = " specified. You may use k, M, G, T, P or E suffixes for\n"
            + "qemu-img: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.";

    /** qemu-img's cvtnum: a size with an optional suffix; -1 when it is not one. */
    private static long size(String s, long max) {
        try {
            long v = org.blkdebug.cli.commands.Numbers.cvtnum(s, w -> { });
            return v < 0 || v > max ? -1 : v;
        } catch (org.blkdebug.cli.commands.Numbers.NumberFormatError e) {
            return -1;
        }
    }

    private String validate() {
        long c = size(countArg, Integer.MAX_VALUE);
        if (c < 0) {
            return "Invalid request count specified";
        }
        count = (int) c;
        long d = size(depthArg, Integer.MAX_VALUE);
        // QEMU accepts 0 and then waits forever for a request it never sends
        if (d < 1) {
            return "Invalid queue depth specified";
        }
        depth = (int) d;
        long b = size(bufsizeArg, Integer.MAX_VALUE);
        if (b < 0) {
            return "Invalid buffer size" + SUFFIXES;
        }
        bufsize = (int) b;
        step = size(stepArg, Long.MAX_VALUE);
        if (step < 0) {
            return "Invalid step_size" + SUFFIXES;
        }
        offset = size(offsetArg, Long.MAX_VALUE);
        if (offset < 0) {
            return "Invalid offset" + SUFFIXES;
        }
        if (pattern < 0 || pattern > 0xff) {
            return "Invalid pattern byte specified. Must be between 0 and 255.";
        }
        if (flushInterval > 0 && !write) {
            return "--flush-interval is only available in write tests";
        }
        if (flushInterval > 0 && flushInterval < depth) {
            return "Flush interval can't be smaller than depth";
        }
        if (format != null && !format.equals("raw") && !format.equals("qcow2")) {
            return "Unknown driver '" + format + "'";
        }
        if (repeat < 1) {
            return "Invalid repeat count specified";
        }
        return null;
    }

    private static String plainPath(String name) {
        // "blkdebug::IMG" and "blkdebug:CFG:IMG" name the image after the second colon
        if (name.startsWith("blkdebug:")) {
            int c = name.indexOf(':', "blkdebug:".length());
            return c < 0 ? name : name.substring(c + 1);
        }
        return name;
    }

    /** One run: {@code count} requests, {@code depth} in flight. Returns an error text or null. */
    private String runOnce(Target target) throws InterruptedException {
        Run run = new Run(target);
        Slot[] slots = new Slot[Math.min(depth, count)];
        for (int s = 0; s < slots.length; s++) {
            ByteBuffer buf = ByteBuffer.allocateDirect(bufsize);
            if (write) {
                while (buf.hasRemaining()) {
                    buf.put((byte) pattern);
                }
            }
            slots[s] = new Slot(run, buf);
        }
        Thread.ofVirtual().start(() -> {
            for (Slot slot : slots) {
                slot.submitNext();
            }
        });
        if (!run.done.await(1, TimeUnit.HOURS)) {
            return "timed out";
        }
        int e = run.firstErrno.get();
        return e == 0 ? null : Errno.message(e);
    }

    /** What the slots of one run share. */
    private final class Run {
        final Target target;
        final long imageSize;
        final AtomicLong next = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicInteger firstErrno = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(1);

        Run(Target target) {
            this.target = target;
            this.imageSize = target.size();
        }
    }

    /**
     * One request in flight at a time, on one buffer (as qemu-img bench's slots): its completion,
     * on the request's own thread, submits the slot's next request from there, so no platform
     * thread is woken per request and nothing is allocated per request by the loop itself.
     */
    private final class Slot implements IntConsumer {
        private final Run run;
        private final ByteBuffer buf;
        /** The index of the slot's request in flight. */
        private long index;

        Slot(Run run, ByteBuffer buf) {
            this.run = run;
            this.buf = buf;
        }

        void submitNext() {
            long i = run.next.getAndIncrement();
            if (i >= count) {
                return;
            }
            index = i;
            buf.clear(); // the baseline's FileChannel calls move the position; the engine never does
            run.target.submit(offsetOf(i, run.imageSize), buf, write, this);
        }

        /** The request ended: 0 or its errno. */
        @Override
        public void accept(int errno) {
            if (errno != 0) {
                run.firstErrno.compareAndSet(0, errno);
            }
            if (flushInterval > 0 && (index + 1) % flushInterval == 0) {
                run.target.flush();
            }
            // only an error can call back inside submit (a closed device), and it ends the chain
            if (run.completed.incrementAndGet() == count || errno != 0) {
                run.done.countDown();
            } else {
                submitNext();
            }
        }
    }

    /** qemu-img bench's offsets: step forward, wrap so the request stays inside the image. */
    private long offsetOf(long i, long imageSize) {
        if (imageSize <= bufsize) {
            return 0;
        }
        long span = imageSize - bufsize;
        return Math.floorMod(offset + i * step, span + 1);
    }

    /** Where requests go. */
    interface Target extends AutoCloseable {
        long size();

        /** Submits one request; {@code done} gets 0 or the errno, on the request's own thread. */
        void submit(long offset, ByteBuffer buf, boolean write, IntConsumer done);

        void flush();

        @Override
        void close() throws Exception;
    }

    /** Through the engine: raw → blkdebug → file. */
    static final class DeviceTarget implements Target {
        private final Device dev;

        private DeviceTarget(Device dev) {
            this.dev = dev;
        }

        static DeviceTarget open(String filename, String format, CacheMode cache, boolean volatileCache)
                throws OpenException {
            DeviceSpec spec = DeviceSpecs.parseFilename(filename, format == null ? "raw" : format);
            return new DeviceTarget(BlkDebug.open(spec,
                    OpenOptions.defaults().withCache(cache).withVolatileCache(volatileCache)));
        }

        @Override
        public long size() {
            try {
                return dev.length();
            } catch (Exception e) {
                return 0;
            }
        }

        @Override
        public void submit(long offset, ByteBuffer buf, boolean write, IntConsumer done) {
            ByteBuffer[] one = {buf};
            if (write) {
                dev.writeAsync(offset, one, null, done);
            } else {
                dev.readAsync(offset, one, null, done);
            }
        }

        @Override
        public void flush() {
            try {
                dev.flush();
            } catch (Exception ignored) {
                // qemu-img bench reports flush failures as a failed request; rare here
            }
        }

        @Override
        public void close() throws Exception {
            dev.close();
        }
    }

    /** The baseline: the same requests straight on the file, one virtual thread each. */
    static final class FileTarget implements Target {
        private final FileChannel ch;

        private FileTarget(FileChannel ch) {
            this.ch = ch;
        }

        static FileTarget open(String path, boolean write) throws java.io.IOException {
            return new FileTarget(write
                    ? FileChannel.open(Path.of(path), StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(Path.of(path), StandardOpenOption.READ));
        }

        @Override
        public long size() {
            try {
                return ch.size();
            } catch (java.io.IOException e) {
                return 0;
            }
        }

        @Override
        public void submit(long offset, ByteBuffer buf, boolean write, IntConsumer done) {
            Thread.ofVirtual().start(() -> {
                int errno = 0;
                try {
                    long pos = offset;
                    while (buf.hasRemaining()) {
                        int n = write ? ch.write(buf, pos) : ch.read(buf, pos);
                        if (n < 0) {
                            break;
                        }
                        pos += n;
                    }
                } catch (java.io.IOException e) {
                    errno = Errno.of(e);
                }
                done.accept(errno);
            });
        }

        @Override
        public void flush() {
            try {
                ch.force(false);
            } catch (java.io.IOException ignored) {
                // as above
            }
        }

        @Override
        public void close() throws Exception {
            ch.close();
        }
    }
}
