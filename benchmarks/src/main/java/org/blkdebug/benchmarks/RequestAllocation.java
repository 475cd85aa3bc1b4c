package org.blkdebug.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.config.DeviceSpecs;

/**
 * Heap bytes allocated per request on {@code ./blkdebug bench}'s path: {@code depth} slots, each
 * with one buffer, whose completion submits the slot's next request from the request's own
 * thread (as {@code cli/.../bench/Bench} does), 4 KiB sequential requests through
 * {@code blkdebug::IMAGE}, cache=writeback (bench's default). Wall-clock time on the project's shared machines is noise; the bytes
 * allocated per request are not, and they are what a change to the request path adds or saves.
 *
 * <p>Counted over all threads ({@code getTotalThreadAllocatedBytes}: a virtual thread's
 * allocations count on its carrier), three warm-up runs first, then per round a run of
 * {@code count} requests minus a run of {@code count / 10} (which cancels the device's open and
 * close), over the requests between them. Prints the median round, then every round. Run it in
 * a fresh JVM per mode, with the launcher's options: what C2 eliminates depends on the profile,
 * and a JVM that ran reads first compiles writes differently.
 *
 * <pre>
 * java -XX:+UseSerialGC -Djdk.virtualThreadScheduler.parallelism=1 -Djdk.trackAllThreads=false \
 *   -cp benchmarks/target/benchmarks.jar org.blkdebug.benchmarks.RequestAllocation \
 *   IMAGE [COUNT=200000] [ROUNDS=3] [DEPTH=1] [read|write] [raw|qcow2]
 * </pre>
 */
public final class RequestAllocation {
    private RequestAllocation() {
    }

    public static void main(String[] args) throws Exception {
        String image = args[0];
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int depth = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        boolean write = args.length > 4 && args[4].equals("write");
        String format = args.length > 5 ? args[5] : "raw";
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int w = 0; w < 3; w++) {
            run(image, format, count, depth, write);
        }
        List<Long> perRequest = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long b0 = mx.getTotalThreadAllocatedBytes();
            run(image, format, count, depth, write);
            long b1 = mx.getTotalThreadAllocatedBytes();
            run(image, format, count / 10, depth, write);
            long b2 = mx.getTotalThreadAllocatedBytes();
            perRequest.add(Math.round(((b1 - b0) - (b2 - b1)) / (double) (count - count / 10)));
        }
        List<Long> sorted = new ArrayList<>(perRequest);
        sorted.sort(null);
        System.out.println(sorted.get(sorted.size() / 2) + " B/request " + perRequest);
    }

    private static void run(String image, String format, int count, int depth, boolean write) throws Exception {
        try (Device dev = BlkDebug.open(DeviceSpecs.parseFilename("blkdebug::" + image, format),
                OpenOptions.defaults().withCache(CacheMode.WRITEBACK))) { // bench's default, not qemu-io's
            long span = dev.length() - 4096;
            AtomicLong next = new AtomicLong();
            AtomicLong completed = new AtomicLong();
            AtomicInteger firstErrno = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            final class Slot implements IntConsumer {
                private final ByteBuffer[] buf = {ByteBuffer.allocateDirect(4096)};

                void submitNext() {
                    long i = next.getAndIncrement();
                    if (i >= count) {
                        return;
                    }
                    long offset = Math.floorMod(i * 4096, span + 1);
                    if (write) {
                        dev.writeAsync(offset, buf, null, this);
                    } else {
                        dev.readAsync(offset, buf, null, this);
                    }
                }

                @Override
                public void accept(int errno) {
                    if (errno != 0) {
                        firstErrno.compareAndSet(0, errno);
                    }
                    if (completed.incrementAndGet() == count || errno != 0) {
                        done.countDown();
                    } else {
                        submitNext();
                    }
                }
            }
            List<Slot> slots = new ArrayList<>();
            for (int s = 0; s < Math.min(depth, count); s++) {
                slots.add(new Slot());
            }
            Thread.ofVirtual().start(() -> slots.forEach(Slot::submitNext));
            if (!done.await(10, TimeUnit.MINUTES) || firstErrno.get() != 0) {
                throw new IllegalStateException("run failed: errno " + firstErrno.get());
            }
        }
    }
}
