package org.blkdebug.cli.commands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device;

/** What a command may use of the shell around it. Implemented by the shell. */
public interface Context {
    Console console();

    /** The open device, or null after {@code close}. */
    Device device();

    boolean readOnly();

    /** Opened with {@code -s} (or {@code open -s}): writes go to a temporary overlay. */
    default boolean snapshot() {
        return false;
    }

    /** The top of the open stack (raw, probed raw, or blkdebug itself). */
    org.blkdebug.engine.DeviceSpec.Format format();

    /**
     * Runs qemu-io's main loop once: lets the device settle, then prints the reports of finished
     * aio requests (where qemu-io would poll: sync I/O, {@code sleep}, {@code wait_break}).
     */
    void mainLoop() throws InterruptedException;

    /**
     * Under lockstep (the engine's {@link org.blkdebug.engine.Lockstep}): runs rounds of the main
     * loop, each to quiescence, until {@code done} holds or no request waits for a round. A
     * command that waits for a request calls it, so the request (and every other in flight) moves
     * as qemu-io's polling moves it. Returns at once without lockstep.
     */
    default void rounds(java.util.function.BooleanSupplier done) throws InterruptedException {
    }

    /** Under lockstep: some request waits for the next round (so something can still move). */
    default boolean roundPending() {
        return false;
    }

    /**
     * A main-loop poll that waits for I/O ({@code sleep N}, a blocking {@code wait_break}, a
     * synchronous write): also prints reports of requests that did real file I/O.
     */
    void mainLoopWaiting() throws InterruptedException;

    /**
     * After a synchronous request: qemu-io polls until the request is done, which runs the loop
     * as long as the request's own backend calls take (and not at all when it finished without
     * blocking), completing other requests on the way.
     */
    default void afterSyncRequest() throws InterruptedException {
        mainLoopWaiting();
    }

    /**
     * After {@code readv} or {@code writev}: qemu-io 7.2 submits them as aio requests and runs
     * {@code main_loop_wait} until their callback ran, not {@code BDRV_POLL_WHILE}. So even one
     * that finished without blocking (its completion a bottom half) runs a turn of the loop, and
     * with it the bottom halves scheduled before (reports of aio requests that failed at once,
     * requests an {@code immediately=off} error rescheduled) before its own line.
     */
    default void afterLoopRequest() throws InterruptedException {
        afterSyncRequest();
    }

    /**
     * After {@code flush}: qemu-io polls until it is done (bdrv_flush's BDRV_POLL_WHILE), as after
     * a synchronous request. A raw flush with nothing written since the last one makes no call
     * (bdrv_co_flush: flushed_gen == write_gen) and does not poll; one that calls fdatasync
     * polls, and the aio requests whose quicker calls finish first report during it (scenario
     * 541), as do those a flush queued behind and qcow2's cache writeback (scenario 245).
     */
    default void afterFlush() throws InterruptedException {
        afterSyncRequest();
    }

    /**
     * After a synchronous operation whose own I/O is one trip through QEMU's thread pool and
     * that the shell does not submit as a request ({@code truncate}): qemu-io polls for one round.
     */
    default void afterSyncRound() throws InterruptedException {
        mainLoopWaiting();
    }

    /**
     * {@code wait_break}'s poll: runs the loop until the request on its way to {@code tag} gets
     * there (and prints what that turn of the loop prints besides).
     */
    default void mainLoopUntilSuspended(String tag) throws InterruptedException {
        mainLoopWaiting();
    }

    /** True when a request is suspended at {@code tag} but QEMU's loop has not got it there yet. */
    default boolean suspensionPending(String tag) throws InterruptedException {
        return hasDeferredLines();
    }

    /**
     * After {@code resume}/{@code remove_break} released requests: QEMU enters each released
     * coroutine inside the command, so one that finishes without blocking again (it was
     * suspended after its I/O) completes there and its report is printed at once. Waits for
     * the released requests to settle and prints exactly those reports.
     */
    default void afterResume() throws InterruptedException {
    }

    /**
     * True when a blkdebug line waits for the next poll: a request that blocked (I/O) before
     * reaching its breakpoint, which in QEMU gets there only in a later main-loop turn.
     */
    boolean hasDeferredLines();

    /**
     * qemu-io's drain ({@code aio_flush}, exit): waits for every request and prints its report.
     *
     * @return the tag of a suspended request that keeps the drain from finishing, or null
     */
    String drain() throws InterruptedException;

    /** How long one command may wait for the device to settle. */
    Duration settleTimeout();

    /** Opens a device as qemu-io's {@code open} does; false (message printed) on failure. */
    boolean open(OpenRequest request);

    /** The session was started with {@code --image-opts}: {@code open}'s path is an option string, {@code -o} refused. */
    default boolean imageOpts() {
        return false;
    }

    void close();

    /** The device crashed ({@code crash}): it is closed already; forget it and its export. */
    void crashed();

    void quit();

    /** Every command, sorted by name, for {@code help}. */
    List<CommandInfo> commands();

    /** True in the interactive shell (help then also lists the extensions). */
    boolean interactive();

    /** The NBD export of the open device, or null ({@code serve}). */
    org.blkdebug.engine.nbd.NbdServer nbdServer();

    /** Remembers the export so closing the device stops it first. */
    void nbdServer(org.blkdebug.engine.nbd.NbdServer server);

    /** Starts writing the session's commands to {@code file} ({@code record FILE}). */
    void record(Path file) throws java.io.IOException;

    /**
     * Under {@code explore --orders}: releases the next request the explorer holds (its choice of
     * order) and answers true, or false when it holds none. Null outside explore.
     */
    default java.util.function.BooleanSupplier heldReleaser() {
        return null;
    }

    /**
     * Under {@code explore --orders}: while {@code waiting} is true and nothing in the device can
     * move, has the explorer release its held requests one at a time, each after the device has
     * settled. A script's waits call this where they would otherwise find nothing can move, so the
     * explorer decides exactly when the script is stuck. Returns at once outside explore.
     */
    default void releaseHeldWhile(java.util.function.BooleanSupplier waiting) throws InterruptedException {
        java.util.function.BooleanSupplier release = heldReleaser();
        Device d = device();
        if (release == null || d == null) {
            return;
        }
        while (waiting.getAsBoolean() && d.awaitQuiescence(settleTimeout()) && waiting.getAsBoolean()
                && release.getAsBoolean()) {
            // released one; wait for it to settle and look again
        }
    }

    /**
     * What {@code open} and the command line ask for.
     *
     * @param snapshot   {@code -s}: writes go to a temporary overlay, the image file is only read
     * @param copyOnRead {@code -C}
     * @param unmap      {@code -d}: discards act (the default), or do nothing
     * @param nativeAio  {@code -k} or {@code -i native}: refused without {@code cache.direct=on}
     *                   (-t none, directsync), as QEMU's file driver refuses it; no effect otherwise
     * @param forceShare {@code -U}: refused without read-only, as QEMU does; no effect otherwise
     */
    record OpenRequest(String filename, String options, String format, String cache, boolean readOnly,
                       boolean snapshot, boolean copyOnRead, boolean unmap, boolean nativeAio, boolean forceShare) {
        public OpenRequest(String filename, String options, String format, String cache, boolean readOnly,
                           boolean snapshot, boolean copyOnRead, boolean unmap) {
            this(filename, options, format, cache, readOnly, snapshot, copyOnRead, unmap, false, false);
        }

        public OpenRequest(String filename, String options, String format, String cache, boolean readOnly) {
            this(filename, options, format, cache, readOnly, false);
        }

        public OpenRequest(String filename, String options, String format, String cache, boolean readOnly,
                           boolean snapshot) {
            this(filename, options, format, cache, readOnly, snapshot, false, true);
        }

        /** bdrv_parse_aio: whether {@code -i MODE} asks for native AIO; null for a mode QEMU lacks. */
        public static Boolean nativeAio(String mode) {
            return switch (mode) {
                case "native" -> true;
                case "threads", "io_uring" -> false;
                default -> null;
            };
        }

        /**
         * bdrv_parse_discard_flags: {@code -d} as an unmap flag; null for an invalid option
         * (qemu-io: {@code Invalid discard option: X}).
         */
        public static Boolean unmap(String discard) {
            return switch (discard == null ? "unmap" : discard) {
                case "off", "ignore" -> false;
                case "on", "unmap" -> true;
                default -> null;
            };
        }
    }
}
