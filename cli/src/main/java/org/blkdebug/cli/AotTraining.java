package org.blkdebug.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blkdebug.cli.bench.Bench;
import org.blkdebug.cli.report.Console;

/**
 * The workload {@code ./blkdebug} runs once after a build, under
 * {@code -XX:AOTCacheOutput} (JDK 25) or {@code -XX:ArchiveClassesAtExit} (JDK 21–24), so later
 * starts load the shell's classes, and the request path's profiles, from the cache: typical
 * sessions (I/O, aio, break/resume, rules, flush), and for the long runs' cache a short
 * benchmark, on a temp image. The shell's cache leaves the benchmark out: a smaller cache is
 * mapped and relocated faster at every start (docs/performance.md, target 6).
 */
final class AotTraining {
    private AotTraining() {
    }

    /**
     * Runs the training; {@code shellOnly}: the scripted sessions alone. Whatever the training
     * loads goes into the cache and is loaded at every start, so the sessions use what scripts
     * use and the harness itself stays lean (no temp-file API: its SecureRandom is ~50 classes).
     */
    static int run(boolean shellOnly) {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "blkdebug-aot-" + Long.toHexString(System.nanoTime()));
        Path img = dir.resolve("t.img");
        Path cfg = dir.resolve("c.ini");
        try {
            Files.createDirectory(dir);
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(16 << 20);
            }
            Files.writeString(cfg, "[set-state]\nevent = \"write_aio\"\nstate = \"1\"\nnew_state = \"2\"\n"
                    + "[inject-error]\nevent = \"write_aio\"\nstate = \"2\"\nerrno = \"28\"\nonce = \"on\"\n");
            // the path scripts/startup-vs-bare-jvm.sh measures, exactly
            quietly(new String[] {"-f", "raw", "-c", "write 0 4k", "blkdebug::" + img}, "");
            String[] session = {"-f", "raw", "-c", "write -P 0x5a 0 4k", "-c", "read -P 0x5a 0 4k", "-c", "write 4k 4k",
                "-c", "aio_write 8k 4k", "-c", "aio_read 0 4k", "-c", "aio_flush", "-c", "break write_aio A",
                "-c", "aio_write 0 512", "-c", "wait_break A", "-c", "requests", "-c", "resume A",
                "-c", "aio_flush", "-c", "flush", "-c", "length", "-c", "discard 0 4k", "-c", "write -z 0 4k",
                "-c", "readv 0 512 512", "-c", "writev 0 512 512", "-c", "read -v 0 32",
                "blkdebug:" + cfg + ":" + img};
            quietly(session, "");
            quietly(new String[] {"--image-opts", "driver=raw,file.driver=blkdebug,file.align=4k,file.image.filename=" + img},
                    "break pwritev_rmw_after_head A\naio_write -P 1 512 512\nwait_break A\nresume A\naio_flush\n");
            if (shellOnly) {
                return 0;
            }
            // rarely scripted: help reads its texts from the jar, rules' listing is a pattern switch
            quietly(new String[] {"-f", "raw", "-c", "help", "-c", "rules", "blkdebug:" + cfg + ":" + img}, "");
            PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            for (String d : new String[] {"1", "32"}) {
                Bench.run(new String[] {"-c", "200000", "-d", d, "blkdebug::" + img}, sink, sink);
                Bench.run(new String[] {"-c", "100000", "-d", d, "-w", "blkdebug::" + img}, sink, sink);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return 1;
        } finally {
            try {
                Files.deleteIfExists(img);
                Files.deleteIfExists(cfg);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a temp dir
            }
        }
    }

    private static void quietly(String[] args, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(out, out, StandardCharsets.UTF_8);
        Main.run(args, console, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false);
    }
}
