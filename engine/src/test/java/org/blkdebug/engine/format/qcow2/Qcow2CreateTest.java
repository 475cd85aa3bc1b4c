package org.blkdebug.engine.format.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code blkdebug create -f qcow2} makes the bytes {@code qemu-img create} 7.2 makes, for each
 * cluster size, refcount width, compat level, extended L2, preallocation and a backing file
 * (skipped where qemu-img is not installed).
 */
class Qcow2CreateTest {
    @TempDir
    Path dir;

    private static final Path QEMU_IMG = Path.of("/usr/bin/qemu-img");

    @ParameterizedTest(name = "{0} {1} -o {2}")
    @CsvSource(delimiter = '|', value = {
        "64M | 3 | 65536 | false | 16 | off",
        "64M | 3 | 512 | false | 16 | off",
        "1G | 3 | 4096 | false | 1 | off",
        "1G | 3 | 2097152 | false | 64 | off",
        "100M | 2 | 65536 | false | 16 | off",
        "64M | 3 | 65536 | true | 8 | off",
        "64M | 3 | 65536 | false | 16 | metadata",
        "8M | 3 | 4096 | false | 2 | falloc",
        "8M | 3 | 65536 | false | 16 | full",
    })
    void imagesAreQemuImgsByteForByte(String size, int version, int clusterSize, boolean extendedL2,
                                      int refcountBits, String prealloc) throws Exception {
        assumeTrue(Files.isExecutable(QEMU_IMG), "qemu-img not installed");
        long bytes = parseSize(size);
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        Qcow2Create.create(ours.toString(), bytes, new Qcow2Create.Options(version, clusterSize, extendedL2,
                refcountBits, false, prealloc, null, null, null));
        qemuImg(theirs, size, "compat=" + (version == 2 ? "0.10" : "1.1") + ",cluster_size=" + clusterSize
                + ",extended_l2=" + (extendedL2 ? "on" : "off") + ",refcount_bits=" + refcountBits
                + ",preallocation=" + prealloc);
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    @ParameterizedTest(name = "backing {0}")
    @CsvSource({"base.raw, raw", "base.qcow2, qcow2"})
    void anOverlayNamesItsBackingFileAsQemuImgDoes(String backing, String format) throws Exception {
        assumeTrue(Files.isExecutable(QEMU_IMG), "qemu-img not installed");
        Files.write(dir.resolve("base.raw"), new byte[1 << 20]);
        Qcow2Create.create(dir.resolve("base.qcow2").toString(), 1 << 20, Qcow2Create.Options.DEFAULTS);
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        Qcow2Create.create(ours.toString(), 1 << 20, new Qcow2Create.Options(3, 65536, false, 16, false, "off",
                backing, format, null));
        run(List.of(QEMU_IMG.toString(), "create", "-q", "-f", "qcow2", "-b", backing, "-F", format,
                theirs.toString(), "1M"));
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    private void qemuImg(Path file, String size, String opts) throws Exception {
        run(List.of(QEMU_IMG.toString(), "create", "-q", "-f", "qcow2", "-o", opts, file.toString(), size));
    }

    private void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static long parseSize(String s) {
        char unit = s.charAt(s.length() - 1);
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (unit) {
            case 'M' -> n << 20;
            case 'G' -> n << 30;
            default -> throw new IllegalArgumentException(s);
        };
    }
}
