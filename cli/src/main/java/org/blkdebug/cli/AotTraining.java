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
 * starts load the shell's classes, and the request path's profiles, from the cache: a typical
 * session (I/O, aio, break/resume, rules, flush) and a short benchmark, on a temp image.
 */
final class AotTraining {
    private AotTraining() {
    }

    static int run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("blkdebug-aot");
            Path img = dir.resolve("t.img");
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(16 << 20);
            }
            Path cfg = dir.resolve("c.ini");
            Files.writeString(cfg, "[set-state]\nevent = \"write_aio\"\nstate = \"1\"\nnew_state = \"2\"\n"
                    + "[inject-error]\nevent = \"write_aio\"\nstate = \"2\"\nerrno = \"28\"\nonce = \"on\"\n");
            String[] session = {"-f", "raw", "-c", "write -P 0x5a 0 4k", "-c", "read -P 0x5a 0 4k", "-c", "write 4k 4k",
                "-c", "aio_write 8k 4k", "-c", "aio_read 0 4k", "-c", "aio_flush", "-c", "break write_aio A",
                "-c", "aio_write 0 512", "-c", "wait_break A", "-c", "requests", "-c", "rules", "-c", "resume A",
                "-c", "aio_flush", "-c", "flush", "-c", "length", "-c", "discard 0 4k", "-c", "write -z 0 4k",
                "-c", "readv 0 512 512", "-c", "writev 0 512 512", "-c", "help", "-c", "read -v 0 32",
                "blkdebug:" + cfg + ":" + img};
            quietly(session, "");
            quietly(new String[] {"--image-opts", "driver=raw,file.driver=blkdebug,file.align=4k,file.image.filename=" + img},
                    "break pwritev_rmw_after_head A\naio_write -P 1 512 512\nwait_break A\nresume A\naio_flush\n");
            PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            for (String d : new String[] {"1", "32"}) {
                Bench.run(new String[] {"-c", "200000", "-d", d, "blkdebug::" + img}, sink, sink);
                Bench.run(new String[] {"-c", "100000", "-d", d, "-w", "blkdebug::" + img}, sink, sink);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return 1;
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temp dir
                }
            }
        }
    }

    private static void quietly(String[] args, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(out, out, StandardCharsets.UTF_8);
        Main.run(args, console, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false);
    }
}
