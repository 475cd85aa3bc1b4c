package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.config.DeviceSpecs;
import org.blkdebug.engine.format.qcow2.Qcow2Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images the qcow2 driver writes are QEMU's: random writes, write-zeroes, discards, compressed
 * clusters and flushes (in batches of concurrent requests on disjoint ranges, so they race for the
 * same clusters) with tiny metadata caches, so tables are evicted and written back all the time;
 * then {@code qemu-img check} 7.2 must find nothing and {@code qemu-img compare} must find the
 * image equal to what the operations should have left. Seeded ({@code -Dtests.seed=}); longer
 * with {@code -Dtests.qcow2.ops=N}; {@code -Dtests.qcow2.serial=true} runs one request at a time
 * and compares after each, to find the first that goes wrong. Skipped without qemu-img.
 */
class Qcow2InteropTest {
    private static final Path QEMU_IMG = Path.of("/usr/bin/qemu-img");
    private static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    private enum Kind { WRITE, ZERO, ZERO_UNMAP, DISCARD, COMPRESSED }

    /** One submitted request, for failure messages. */
    private record Op(Kind kind, long offset, int length, int batch) {
        boolean covers(long at) {
            return offset <= at && at < offset + length;
        }

        @Override
        public String toString() {
            return kind + " " + offset + "+" + length + " (batch " + batch + ")";
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "v3 64k | compat=1.1,cluster_size=65536 | false",
        "v3 4k refcount_bits=1 | compat=1.1,cluster_size=4096,refcount_bits=1 | false",
        "v3 32k extended_l2 | compat=1.1,cluster_size=32768,extended_l2=on | false",
        "v2 64k | compat=0.10,cluster_size=65536 | false",
        "v3 512 refcount_bits=64 | compat=1.1,cluster_size=512,refcount_bits=64 | false",
        "v3 4k over a raw backing file | compat=1.1,cluster_size=4096 | true",
    })
    void randomOperationsLeaveAnImageQemuImgFindsCleanAndEqual(String name, String opts, boolean backing)
            throws Exception {
        assumeTrue(Files.isExecutable(QEMU_IMG), "qemu-img not installed");
        long seed = Reliability.seed("Qcow2InteropTest " + name);
        Reliability.withSeed(seed, () -> run(new SplittableRandom(seed), opts, backing));
    }

    @Test
    void aCompressedWriteNeverLandsInAClusterFreedAndReusedSinceTheLastOne() throws Exception {
        // differences-from-qemu.md Q1: QEMU 7.2 keeps its "next free byte" for compressed data
        // in a cluster that was freed and then reused for a data cluster, and appends the next
        // compressed cluster into that data (qemu-img check: OFLAG_COPIED refcount=2)
        Path img = dir.resolve("c.qcow2");
        Qcow2Create.create(img.toString(), 4 << 20, Qcow2Create.Options.DEFAULTS);
        try (Device dev = BlkDebug.open(DeviceSpecs.parseFilename(img.toString(), "qcow2"), OpenOptions.defaults())) {
            dev.writeCompressedAsync(0, new ByteBuffer[] {filled(1)}, null).get(10, TimeUnit.SECONDS);
            dev.write(0, filled(2)); // COW away from the compressed cluster, which is freed
            dev.write(65536, filled(3)); // takes the freed cluster (first fit)
            dev.writeCompressedAsync(131072, new ByteBuffer[] {filled(4)}, null).get(10, TimeUnit.SECONDS);
            ByteBuffer back = ByteBuffer.allocate(65536);
            dev.read(65536, back);
            assertThat(back.array()).containsOnly(3);
        }
        if (Files.isExecutable(QEMU_IMG)) {
            assertThat(qemuImg(List.of(QEMU_IMG.toString(), "check", img.toString())))
                    .contains("No errors were found on the image.");
        }
    }

    private static ByteBuffer filled(int value) {
        byte[] b = new byte[65536];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    private void run(SplittableRandom rnd, String opts, boolean backing) throws Exception {
        Path img = dir.resolve("t.qcow2");
        byte[] model = new byte[SIZE];
        List<String> create = new ArrayList<>(List.of(QEMU_IMG.toString(), "create", "-q", "-f", "qcow2", "-o", opts));
        if (backing) {
            rnd.nextBytes(model);
            Files.write(dir.resolve("base.raw"), model);
            create.addAll(List.of("-b", "base.raw", "-F", "raw"));
        }
        create.addAll(List.of(img.toString(), String.valueOf(SIZE)));
        qemuImg(create);
        int cluster = Integer.parseInt(opts.replaceAll(".*cluster_size=(\\d+).*", "$1"));
        boolean v2 = opts.contains("compat=0.10");
        String spec = "driver=qcow2,l2-cache-size=" + 2 * cluster + ",l2-cache-entry-size=" + Math.min(cluster, 1024)
                + ",refcount-cache-size=" + 4 * cluster + ",file.driver=blkdebug,file.image.filename=" + img;
        List<String> messages = Collections.synchronizedList(new ArrayList<>());
        BlkDebugListener listener = new BlkDebugListener() {
            @Override
            public void message(String line) {
                messages.add(line);
            }

            @Override
            public void error(String message) {
                messages.add(message);
            }
        };
        int ops = Reliability.intProperty("tests.qcow2.ops", 120);
        boolean serial = Boolean.getBoolean("tests.qcow2.serial");
        List<Op> log = new ArrayList<>();
        try (Device dev = BlkDebug.open(DeviceSpecs.parseImageOpts(spec),
                OpenOptions.defaults().withCache(CacheMode.WRITEBACK).withListener(listener))) {
            Requests requests = new Requests(dev, rnd, model, new boolean[SIZE / cluster], cluster, v2 && backing);
            for (int batch = 0; batch < ops; batch++) {
                List<CompletableFuture<Void>> inFlight = new ArrayList<>();
                List<Op> taken = new ArrayList<>();
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    inFlight.add(requests.submit(batch, taken));
                    if (serial) {
                        inFlight.getLast().get(30, TimeUnit.SECONDS);
                        int m = mismatch(dev, model);
                        assertThat(m).as(() -> "diverged after " + taken.getLast()).isEqualTo(-1);
                    }
                }
                log.addAll(taken);
                try {
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("batch " + batch + " failed: " + taken + "; the driver said " + messages, e);
                }
                if (rnd.nextInt(10) == 0) {
                    dev.flush();
                }
            }
            int bad = mismatch(dev, model);
            assertThat(bad).as(() -> "read back wrong at " + bad + "; requests over it: "
                    + log.stream().filter(o -> o.covers(bad)).toList()).isEqualTo(-1);
        }
        String check = qemuImg(List.of(QEMU_IMG.toString(), "check", "-f", "qcow2", img.toString()));
        assertThat(check).contains("No errors were found on the image.").doesNotContain("leaked");
        Path expected = dir.resolve("expected.raw");
        Files.write(expected, model);
        qemuImg(List.of(QEMU_IMG.toString(), "compare", "-f", "qcow2", "-F", "raw", img.toString(),
                expected.toString()));
    }

    private static int mismatch(Device dev, byte[] model) throws Exception {
        ByteBuffer back = ByteBuffer.allocate(SIZE);
        dev.read(0, back);
        return Arrays.mismatch(back.array(), model);
    }

    /** Random requests on ranges no other request of their batch touches; the model follows them. */
    private record Requests(Device dev, SplittableRandom rnd, byte[] model, boolean[] mapped, int cluster,
                            boolean discardShowsBacking) {
        /*
         * mapped: the cluster may have a host cluster. A compressed write goes only where there is
         * none (QEMU fails it with EIO otherwise).
         */
        CompletableFuture<Void> submit(int batch, List<Op> taken) {
            Kind kind = switch (rnd.nextInt(10)) {
                case 6 -> Kind.ZERO;
                case 7 -> Kind.ZERO_UNMAP;
                case 8 -> Kind.DISCARD;
                case 9 -> Kind.COMPRESSED;
                default -> Kind.WRITE;
            };
            long off;
            int len;
            if (kind == Kind.COMPRESSED) {
                off = (long) rnd.nextInt(SIZE / cluster) * cluster;
                len = cluster;
                if (mapped[(int) (off / cluster)]) {
                    return CompletableFuture.completedFuture(null);
                }
            } else {
                len = 1 + rnd.nextInt(rnd.nextBoolean() ? 2 * cluster : 3 * cluster + 1000);
                off = rnd.nextInt(SIZE - len);
                if (rnd.nextBoolean()) {
                    off &= ~511L;
                    len = Math.max(512, len & ~511);
                }
            }
            Op op = new Op(kind, off, len, batch);
            for (Op t : taken) {
                if (off < t.offset() + t.length() && t.offset() < off + len) {
                    return CompletableFuture.completedFuture(null); // overlapping: the outcome would race
                }
            }
            taken.add(op);
            return switch (kind) {
                case WRITE -> write(off, len);
                case ZERO, ZERO_UNMAP -> zero(off, len, kind == Kind.ZERO_UNMAP);
                case DISCARD -> discard(off, len);
                case COMPRESSED -> compressed(off, len);
            };
        }

        private void map(long off, int len) {
            for (long c = off / cluster; c <= (off + len - 1) / cluster; c++) {
                mapped[(int) c] = true;
            }
        }

        private CompletableFuture<Void> write(long off, int len) {
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            System.arraycopy(data, 0, model, (int) off, len);
            map(off, len);
            return dev.writeAsync(off, new ByteBuffer[] {ByteBuffer.wrap(data)}, null);
        }

        private CompletableFuture<Void> zero(long off, int len, boolean unmap) {
            Arrays.fill(model, (int) off, (int) off + len, (byte) 0);
            if (unmap) { // whole clusters may lose their host cluster, partial ones keep it
                mapped[(int) (off / cluster)] = true;
                mapped[(int) ((off + len - 1) / cluster)] = true;
                return dev.writeZeroesAsync(off, len, null, Device.WriteFlag.MAY_UNMAP);
            }
            map(off, len);
            return dev.writeZeroesAsync(off, len, null);
        }

        private CompletableFuture<Void> discard(long off, int len) {
            // whole clusters only; the partial ones at either end are left alone (ENOTSUP, ignored)
            long first = (off + cluster - 1) / cluster * cluster;
            long end = (off + len) / cluster * cluster;
            if (discardShowsBacking && first < end) {
                return CompletableFuture.completedFuture(null); // v2 over a backing file: would show it
            }
            for (long c = first; c < end; c += cluster) {
                Arrays.fill(model, (int) c, (int) c + cluster, (byte) 0);
                mapped[(int) (c / cluster)] = false;
            }
            return dev.discardAsync(off, len, null);
        }

        private CompletableFuture<Void> compressed(long off, int len) {
            byte[] data = new byte[len];
            for (int i = 0; i < len; i += 64) {
                data[i] = (byte) rnd.nextInt(4); // compressible, not all zero
            }
            System.arraycopy(data, 0, model, (int) off, len);
            map(off, len);
            return dev.writeCompressedAsync(off, new ByteBuffer[] {ByteBuffer.wrap(data)}, null);
        }
    }

    private String qemuImg(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out).isZero();
        return out;
    }
}
