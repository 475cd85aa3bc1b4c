package org.blkdebug.engine.crash;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.nbd.NbdServer;

/**
 * {@code --check 'CMD {}'}: runs a shell command on each state, as {@code crash-states} and
 * {@code replay --check-at} do. In CMD, {@code {}} is a file holding the state and {@code {uri}}
 * an NBD URI exporting it (read-write; writes are private to that run). Exit status 0 accepts the
 * state; any other rejects it, with the command's output as the reason.
 *
 * <p>{@code {uri}} costs no copy: the export serves an overlay. {@code {}} is one working file,
 * made once (a sparse copy of the durable image) and changed per state only where volatile writes
 * land; if CMD changes the file, the next state starts from a fresh copy.
 */
public final class CommandCheck implements CrashStates.Checker, AutoCloseable {
    /** The longest a command may run on one state. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    private static final int OUTPUT_LIMIT = 8192;
    /** What the working file's modification time is set to: a command that writes changes it. */
    private static final FileTime UNTOUCHED = FileTime.fromMillis(1_000);

    private final String template;
    private final Path workDir;
    private final Duration timeout;
    private Path file;
    private FileChannel channel;
    private boolean fresh = true;

    /**
     * @param template the command, with {@code {}} and/or {@code {uri}}
     * @param workDir  where the working file goes (next to the image: a copy of it must fit there)
     */
    public CommandCheck(String template, Path workDir, Duration timeout) {
        this.template = template;
        this.workDir = workDir;
        this.timeout = timeout;
    }

    /** True when CMD names the state at all. */
    public static boolean namesState(String template) {
        return template.contains("{}") || template.contains("{uri}");
    }

    @Override
    public void check(CrashState state) throws Exception {
        Path f = null;
        if (template.contains("{}")) {
            f = prepareFile(state);
        }
        if (template.contains("{uri}")) {
            try (Device dev = state.open(); NbdServer nbd = NbdServer.start(dev, NbdServer.Options.defaults())) {
                run(template, f, nbd.uri(), timeout);
            }
        } else {
            run(template, f, null, timeout);
        }
        if (f != null && (!Files.getLastModifiedTime(f).equals(UNTOUCHED) || Files.size(f) != state.length())) {
            fresh = true; // CMD changed it: start the next state from a fresh copy
        }
    }

    private Path prepareFile(CrashState state) throws IOException, BlockException {
        if (file == null) {
            file = Files.createTempFile(workDir, "blkdebug-state-", ".img");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        if (fresh) {
            state.copyBase(channel);
            fresh = false;
        }
        state.writeTouched(channel);
        channel.force(false);
        Files.setLastModifiedTime(file, UNTOUCHED);
        return file;
    }

    /**
     * Runs {@code sh -c CMD} with {@code {}} and {@code {uri}} replaced (shell-quoted), stdin
     * empty; throws with the exit status and output when it fails.
     */
    public static void run(String template, Path file, String uri, Duration timeout) throws Exception {
        String cmd = template;
        if (file != null) {
            cmd = cmd.replace("{}", quote(file.toString()));
        }
        if (uri != null) {
            cmd = cmd.replace("{uri}", quote(uri));
        }
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        reader.join(Duration.ofSeconds(5));
        if (p.exitValue() != 0) {
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8).strip();
            }
            throw new IOException("exit " + p.exitValue() + (text.isEmpty() ? "" : ": " + text));
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(b)) >= 0) {
                synchronized (out) {
                    if (out.size() < OUTPUT_LIMIT) {
                        out.write(b, 0, Math.min(n, OUTPUT_LIMIT - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the process went; what was read is kept
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * A check of {@code replay --check-at}: {@code {}} is the image being rebuilt (CMD must not
     * change it; if it does, the replay stops); {@code {uri}} an NBD export of an overlay on it.
     */
    public static Replay.PointCheck forReplay(String template, Duration timeout) {
        return (record, image) -> {
            FileTime before = Files.getLastModifiedTime(image);
            if (template.contains("{uri}")) {
                Backend base = org.blkdebug.engine.block.FileBackend.open(image.toString(), true);
                try (Device dev = BlkDebug.open(DeviceSpec.plain(image.toString()),
                        OpenOptions.defaults().withCache(CacheMode.WRITEBACK).withVolatileCache(false),
                        new org.blkdebug.engine.block.OverlayBackend(base));
                     NbdServer nbd = NbdServer.start(dev, NbdServer.Options.defaults())) {
                    run(template, image, nbd.uri(), timeout);
                } finally {
                    base.close();
                }
            } else {
                run(template, image, null, timeout);
            }
            if (!Files.getLastModifiedTime(image).equals(before)) {
                throw new Replay.Abort("CMD changed " + image + "; the replay cannot go on from a changed "
                        + "image (give CMD {uri}, whose writes stay private)");
            }
        };
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            Files.deleteIfExists(file);
            channel = null;
        }
    }
}
