package org.blkdebug.cli.shell;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.config.DeviceSpecs;

/**
 * The open device and how it was opened: qemu-io's {@code openfile}, {@code close}, and the
 * scratch image used when no file is named.
 */
public final class Session {
    /** Size of the scratch image ({@code blkdebug::TMP}) when no file is named. */
    static final long SCRATCH_SIZE = 64L << 20;

    /** How a parsed spec becomes a device: the engine, or a fake in tests. */
    public interface Opener {
        Device open(DeviceSpec spec, OpenOptions options) throws OpenException;
    }

    private final Console console;
    private final Opener opener;
    private volatile Device device;
    private DeviceSpec.Format format = DeviceSpec.Format.RAW;
    private boolean snapshot;
    private boolean readOnly;
    /** The open device does O_DIRECT I/O (cache.direct: -t none, directsync, -n). */
    private boolean direct;
    private Path scratch;
    /** {@code --log-writes}: taken by the next successful open. */
    private Path writeLog;

    /** Whether devices opened from now on run their requests in lockstep with the shell. */
    private boolean pace;
    /** The open device's lockstep, or null (free-running). */
    private org.blkdebug.engine.Lockstep lockstep;

    /** Where "Suspended" lines of requests that had blocked go until the main loop gets there. */
    private CompletionPrinter deferredLines;

    void deferTo(CompletionPrinter sink) {
        deferredLines = sink;
    }

    Session(Console console, Opener opener) {
        this.console = console;
        this.opener = opener;
    }

    Device device() {
        return device;
    }

    void pace(boolean on) {
        pace = on;
    }

    /** The open device's lockstep; null when its requests run free. */
    org.blkdebug.engine.Lockstep lockstep() {
        return device == null ? null : lockstep;
    }

    /** The NBD export of {@link #device}, or null. Stopped before the device closes. Set by {@code serve} from outside the shell's thread too. */
    private volatile org.blkdebug.engine.nbd.NbdServer nbd;

    org.blkdebug.engine.nbd.NbdServer nbdServer() {
        return nbd;
    }

    void nbdServer(org.blkdebug.engine.nbd.NbdServer server) {
        nbd = server;
    }

    DeviceSpec.Format format() {
        return format;
    }

    boolean readOnly() {
        return readOnly;
    }

    /** Opened with {@code -s}: writes go to a temporary overlay. */
    boolean snapshot() {
        return snapshot;
    }

    boolean direct() {
        return direct;
    }

    /**
     * Opens as qemu-io does; on failure prints {@code qemu-io: can't open device X: MSG} (or
     * {@code can't open: MSG} for an option string) and returns false.
     *
     * @param imageOpts the filename is an option string ({@code --image-opts})
     */
    boolean open(OpenRequest r, boolean imageOpts) {
        return open(r, imageOpts, null);
    }

    /** As {@link #open(OpenRequest, boolean)}; with {@code failure}, it gets the bare message instead. */
    boolean open(OpenRequest r, boolean imageOpts, java.util.function.Consumer<String> failure) {
        if (device != null && scratch != null) {
            close(); // the scratch image only stands in until the user opens a real one
        }
        if (device != null) {
            console.report("file open already, try 'help close'");
            return false;
        }
        CacheMode cache = cacheMode(r.cache());
        if (cache == null) {
            console.report("Invalid cache option: " + r.cache());
            return false;
        }
        String label = null;
        DeviceSpec spec;
        try {
            boolean refuseForceShare = r.forceShare() && !r.readOnly(); // at the first node's bdrv_open_common
            if (imageOpts) {
                spec = DeviceSpecs.parseImageOpts(join(r.filename(), r.options()), refuseForceShare,
                        r.nativeAio(), cache.direct());
            } else if (r.filename() == null) {
                spec = DeviceSpecs.parseImageOpts(r.options() == null ? "" : r.options(), refuseForceShare,
                        r.nativeAio(), cache.direct());
            } else {
                label = r.filename();
                spec = DeviceSpecs.parseFilename(r.filename(), r.format(), r.options(), refuseForceShare,
                        r.nativeAio(), cache.direct());
            }
            OpenOptions options = new OpenOptions(cache, r.readOnly(), listener()).withWriteLog(writeLog)
                    .withSnapshot(r.snapshot()).withUnmap(r.unmap()).withCopyOnRead(r.copyOnRead())
                    .withNativeAio(r.nativeAio());
            Device d = opener.open(spec, options);
            d.reportCompletions(true);
            lockstep = pace ? d.lockstep() : null;
            device = d;
            writeLog = null; // one log per session: a later open does not overwrite it
        } catch (OpenException e) {
            if (e.probedRaw() && !r.readOnly() && !r.snapshot()) {
                warnProbedRaw(r); // raw_open printed it before the check that failed
            }
            if (failure != null) {
                failure.accept(e.getMessage());
                return false;
            }
            console.report(label == null ? "can't open: " + e.getMessage()
                    : "can't open device " + label + ": " + e.getMessage());
            return false;
        } catch (java.nio.file.InvalidPathException e) {
            // a name the platform cannot encode (a NUL from a script line, non-ASCII under LANG=C):
            // the open fails like any other, it must not end the shell
            String msg = "Could not open '" + e.getInput() + "': " + org.blkdebug.engine.Errno.message(
                    org.blkdebug.engine.Errno.EINVAL);
            if (failure != null) {
                failure.accept(msg);
                return false;
            }
            console.report(label == null ? "can't open: " + msg : "can't open device " + label + ": " + msg);
            return false;
        }
        format = spec.format();
        readOnly = r.readOnly();
        snapshot = r.snapshot();
        direct = cache.direct();
        if (spec.format() == DeviceSpec.Format.PROBE && device.formatInfo().formatName().equals("raw") && !readOnly
                && !r.snapshot()) {
            warnProbedRaw(r);
        }
        return true;
    }

    /**
     * raw_open's warning for a probed raw image, which it prints only when the node is writable:
     * not under {@code -s}, where QEMU opens the image read-only as the backing file of its
     * temporary overlay.
     */
    private void warnProbedRaw(OpenRequest r) {
        String name = r.filename() == null ? "" : r.filename();
        console.error("WARNING: Image format was not specified for '" + name + "' and probing guessed raw.");
        console.error("         Automatically detecting the format is dangerous for raw images,"
                + " write operations on block 0 will be restricted.");
        console.error("         Specify the 'raw' format explicitly to remove the restrictions.");
    }

    /** A 64 MiB sparse temp image under blkdebug with no rules; removed by {@link #close}. */
    boolean openScratch(String cache, boolean readOnly) {
        try {
            scratch = Files.createTempFile("blkdebug-", ".img");
            try (RandomAccessFile f = new RandomAccessFile(scratch.toFile(), "rw")) {
                f.setLength(SCRATCH_SIZE);
            }
        } catch (IOException e) {
            console.report("cannot create a scratch image: " + e.getMessage());
            return false;
        }
        return open(new OpenRequest("blkdebug::" + scratch, null, "raw", cache, readOnly), false);
    }

    /** Closes the device: the engine resumes suspended requests, waits for all and flushes. */
    void close() {
        if (nbd != null) {
            nbd.close(); // clients get their answers (or ESHUTDOWN) before the device goes
            nbd = null;
        }
        Device d = device;
        device = null;
        if (d != null) {
            try {
                d.close();
            } catch (Exception e) {
                // QEMU's exit flush fails silently too (observed-events §2)
            }
        }
        deleteScratch();
    }

    /** After {@code crash}: the device closed itself (no flush); its export dropped every client. */
    void crashed() {
        nbd = null;
        device = null;
        deleteScratch();
    }

    void logWrites(Path file) {
        writeLog = file;
    }

    private void deleteScratch() {
        if (scratch != null) {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                // a temp file; the OS cleans up
            }
            scratch = null;
        }
    }

    boolean settle(Duration timeout) throws InterruptedException {
        Device d = device;
        return d == null || d.awaitQuiescence(timeout);
    }

    private BlkDebugListener listener() {
        return new BlkDebugListener() {
            @Override
            public void suspended(String tag) {
                console.println("blkdebug: Suspended request '" + tag + "'");
            }

            @Override
            public void suspended(String tag, long requestId, long sequence, long releasedBy, int ioRounds, boolean afterYield) {
                CompletionPrinter sink = deferredLines;
                if ((afterYield || releasedBy != 0) && sink != null) {
                    // QEMU prints it from the loop turn that gets the request there (see CompletionPrinter)
                    sink.defer(tag, requestId, sequence, releasedBy, ioRounds);
                } else {
                    console.println("blkdebug: Suspended request '" + tag + "'");
                }
            }

            @Override
            public void resuming(String tag) {
                console.println("blkdebug: Resuming request '" + tag + "'");
            }

            @Override
            public void message(String line) {
                console.error(line);
            }

            @Override
            public void error(String message) {
                console.report(message);
            }

            @Override
            public void seed(long seed) {
                console.println("blkdebug: seed " + Long.toUnsignedString(seed));
            }
        };
    }

    /** QEMU's {@code bdrv_parse_cache_mode} names; {@code off} is {@code none}. */
    static CacheMode cacheMode(String name) {
        if (name == null) {
            return CacheMode.WRITETHROUGH;
        }
        if (name.equals("off")) {
            return CacheMode.NONE;
        }
        return CacheMode.byName(name).orElse(null);
    }

    /** An {@code --image-opts} string: the file argument's options, then {@code -o}'s. */
    private static String join(String a, String b) {
        if (a == null) {
            return b == null ? "" : b;
        }
        return b == null ? a : b + "," + a;
    }
}
