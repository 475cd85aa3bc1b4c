package org.blkdebug.benchmarks;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.crash.CommandCheck;
import org.blkdebug.engine.crash.CrashStates;

/**
 * The crash-state target of docs/faults.md: a 1 GiB image with 1,000 volatile 4 KiB writes
 * (random aligned offsets, seeded), and 10,000 of its crash states checked, each on an overlay
 * (no copy of the image). Reports the time to build the state space and the time per state for:
 * <ul>
 *   <li>{@code empty}: a checker that does nothing (the framework's own cost per state);</li>
 *   <li>{@code read16}: a checker that opens a device on the state and reads 16 of the written
 *       blocks, checking each holds its write or zeroes (an in-process recovery check);</li>
 *   <li>{@code uri}: {@code CMD {uri}} for fewer states, CMD a real NBD client reading a block
 *       of the exported state ({@code qemu-io}, else {@code nbdinfo}): process start-up dominates.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar org.blkdebug.benchmarks.CrashStateScale [STATES] [WRITES] [DIR] [URI_STATES]
 * </pre>
 */
public final class CrashStateScale {
    private static final int BLOCK = 4096;
    private static final long IMAGE = 1L << 30;

    private CrashStateScale() {
    }

    public static void main(String[] args) throws Exception {
        int states = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        Path dir = Path.of(args.length > 2 ? args[2] : Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm"
                : System.getProperty("java.io.tmpdir"));
        int uriStates = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        Path img = Files.createTempFile(dir, "crashscale", ".img");
        try {
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(IMAGE); // sparse
            }
            try (Device dev = BlkDebug.builder().image(img.toString()).open()) {
                SplittableRandom rnd = new SplittableRandom(2024);
                long[] at = new long[writes];
                for (int i = 0; i < writes; i++) {
                    at[i] = rnd.nextLong(IMAGE / BLOCK) * BLOCK;
                    ByteBuffer b = ByteBuffer.allocate(BLOCK);
                    java.util.Arrays.fill(b.array(), (byte) (i % 251 + 1));
                    dev.write(at[i], b);
                }
                System.out.printf(Locale.ROOT, "image %d MiB, %d volatile %d-byte writes, in memory: %s%n",
                        IMAGE >> 20, dev.volatileWrites(), BLOCK, dir);
                run(dev, "empty", states, s -> { });
                run(dev, "read16", states, s -> {
                    try (Device d = s.open()) {
                        ByteBuffer b = ByteBuffer.allocate(BLOCK);
                        for (int k = 0; k < 16; k++) {
                            int i = (s.number() * 31 + k * 61) % writes;
                            b.clear();
                            d.read(at[i], b);
                            byte v = b.get(0);
                            if (v != 0 && (v & 0xff) != i % 251 + 1 && !laterWriteAt(at, i)) {
                                throw new AssertionError("block " + i + " holds " + v);
                            }
                        }
                    }
                });
                String client = onPath("qemu-io") ? "qemu-io -f raw -c 'read 0 4k' {uri} >/dev/null"
                        : onPath("nbdinfo") ? "nbdinfo --size {uri} >/dev/null" : null;
                if (client != null && uriStates > 0) {
                    try (CommandCheck check = new CommandCheck(client, dir, Duration.ofMinutes(1))) {
                        run(dev, "uri", uriStates, check);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(img);
        }
    }

    /** Another write landed on the same block after write {@code i}: its bytes may be that one's. */
    private static boolean laterWriteAt(long[] at, int i) {
        for (int j = 0; j < at.length; j++) {
            if (j != i && at[j] == at[i]) {
                return true;
            }
        }
        return false;
    }

    private static void run(Device dev, String name, int states, CrashStates.Checker checker) throws Exception {
        long t0 = System.nanoTime();
        CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults().withMax(states).withSeed(7), checker);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-7s %,6d states (%s) in %.2f s: %.3f ms per state, %d rejected%n", name,
                r.checked(), r.exhaustive() ? "all" : "sampled", secs, r.nanosPerState() / 1e6, r.rejected().size());
        if (!r.passed()) {
            System.out.println("  first: " + r.rejected().getFirst().replayLine() + ": " + r.rejected().getFirst().reason());
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
