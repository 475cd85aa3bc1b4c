package org.blkdebug.benchmarks;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Rule;

/**
 * The per-request cost of 4 KiB reads with 100,000 armed sector rules that never match, against
 * the same image with no rules: A/B alternating in one process, medians of several runs, and the
 * ratio. On a memory image and on a file in {@code /dev/shm}.
 *
 * <p>The rules are {@code inject-error} on event {@code none}, so the open arms them all (as
 * QEMU's does) and reads only meet them in the request-time check; their sectors lie past the
 * 16 MiB the reads cover. The driver is a virtual thread doing synchronous reads (depth 1: the
 * cheapest hand-off, so the check's share is as visible as it can be) or batches of
 * {@code depth} async reads.
 *
 * <pre>
 * java -cp benchmarks.jar org.blkdebug.benchmarks.RuleScale [RULES] [READS_PER_RUN] [RUNS] [DEPTH]
 * </pre>
 */
public final class RuleScale {
    private static final int BLOCK = 4096;
    private static final long WINDOW = 16L << 20;
    private static final long IMAGE = 128L << 20;

    private RuleScale() {
    }

    public static void main(String[] args) throws Exception {
        int rules = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int reads = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        int depth = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        System.out.printf("4 KiB reads, %,d per run, %d runs A/B alternating, depth %d; B has %,d armed sector rules, none matching%n",
                reads, runs, depth, rules);
        System.out.printf("%-10s %14s %14s %8s%n", "backend", "A none ns/op", "B rules ns/op", "B/A");
        compare("memory", null, rules, reads, runs, depth);
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm)) {
            Path img = Files.createTempFile(shm, "rulescale", ".img");
            try {
                try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                    f.setLength(IMAGE);
                    byte[] data = new byte[1 << 20];
                    Arrays.fill(data, (byte) 0x5a);
                    for (long off = 0; off < WINDOW; off += data.length) {
                        f.seek(off);
                        f.write(data);
                    }
                }
                compare("/dev/shm", img.toString(), rules, reads, runs, depth);
            } finally {
                Files.deleteIfExists(img);
            }
        }
    }

    private static Device open(String image, int rules) throws Exception {
        BlkDebug.Builder b = BlkDebug.builder();
        if (image == null) {
            b.memory(IMAGE);
        } else {
            b.image(image).readOnly(true);
        }
        for (int i = 0; i < rules; i++) {
            // from 32 MiB up, every other sector: none inside the 16 MiB the reads cover
            b.injectError(Rule.InjectError.of(Event.NONE).withSector(65536 + 2L * i));
        }
        Device dev = b.open();
        if (dev.armedRules().size() != rules) {
            throw new IllegalStateException("armed " + dev.armedRules().size());
        }
        if (image == null) {
            ByteBuffer data = ByteBuffer.allocate(1 << 20);
            for (long off = 0; off < WINDOW; off += data.capacity()) {
                dev.write(off, data.clear()); // so reads copy pages rather than fill zeroes
            }
        }
        return dev;
    }

    private static void compare(String name, String image, int rules, int reads, int runs, int depth)
            throws Exception {
        try (Device a = open(image, 0); Device b = open(image, rules)) {
            for (int w = 0; w < 2; w++) { // warm-up, both
                time(a, reads, depth);
                time(b, reads, depth);
            }
            double[] ta = new double[runs];
            double[] tb = new double[runs];
            for (int i = 0; i < runs; i++) {
                if (i % 2 == 0) {
                    ta[i] = time(a, reads, depth);
                    tb[i] = time(b, reads, depth);
                } else {
                    tb[i] = time(b, reads, depth);
                    ta[i] = time(a, reads, depth);
                }
            }
            double ma = median(ta);
            double mb = median(tb);
            System.out.printf("%-10s %14.0f %14.0f %8.3f   (A runs %s; B runs %s)%n", name, ma, mb, mb / ma,
                    fmt(ta), fmt(tb));
        }
    }

    /** ns per read, the reads driven from a virtual thread. */
    private static double time(Device dev, int reads, int depth) throws Exception {
        double[] out = new double[1];
        Exception[] failure = new Exception[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                List<ByteBuffer[]> bufs = new ArrayList<>();
                for (int i = 0; i < depth; i++) {
                    bufs.add(new ByteBuffer[] {ByteBuffer.allocate(BLOCK)});
                }
                @SuppressWarnings("unchecked")
                CompletableFuture<Void>[] batch = new CompletableFuture[depth];
                long blocks = WINDOW / BLOCK;
                long t0 = System.nanoTime();
                for (int i = 0; i < reads; i += depth) {
                    if (depth == 1) {
                        dev.read((i % blocks) * BLOCK, bufs.get(0)[0].clear());
                        continue;
                    }
                    for (int j = 0; j < depth; j++) {
                        bufs.get(j)[0].clear();
                        batch[j] = dev.readAsync(((i + j) % blocks) * BLOCK, bufs.get(j), null);
                    }
                    for (int j = 0; j < depth; j++) {
                        batch[j].join();
                    }
                }
                out[0] = (System.nanoTime() - t0) / (double) reads;
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return out[0];
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(Math.round(d));
        }
        return sb.toString();
    }
}
