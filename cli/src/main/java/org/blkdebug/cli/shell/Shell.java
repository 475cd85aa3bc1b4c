package org.blkdebug.cli.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.blkdebug.cli.commands.CommandAborted;
import org.blkdebug.cli.commands.CommandInfo;
import org.blkdebug.cli.commands.Commands;
import org.blkdebug.cli.commands.Context;
import org.blkdebug.cli.commands.ShellCommand;
import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;

/**
 * qemu-io's command dispatch ({@code qemuio_command}) over one session: splits a line, finds the
 * command, checks file and argument count, runs it, then lets the device settle so one script
 * always gives one output. Remembers whether any command failed (the exit status).
 *
 * <p>Runs on one thread, the shell's; only {@link Console} and the engine's listener are shared
 * with request threads.
 */
public final class Shell implements Context {
    private final Console console;
    private final Session session;
    private final CompletionPrinter completions;
    private final Duration settleTimeout;
    private boolean interactive;
    private boolean quit;
    private boolean failed;
    /** {@code --image-opts}: qemu-io's global; {@code open}'s path is then an option string too. */
    private boolean imageOpts;
    private Recorder recorder;
    /** Run once before the shell first waits for the outside; see {@link #beforeWaiting}. */
    private Runnable beforeWait;
    /** explore --orders: releases one held request; null outside explore. */
    private java.util.function.BooleanSupplier heldReleaser;

    public Shell(Console console, Duration settleTimeout) {
        this(console, settleTimeout, org.blkdebug.engine.BlkDebug::open);
    }

    /** A shell whose devices come from {@code opener} (tests pass a fake). */
    public Shell(Console console, Duration settleTimeout, Session.Opener opener) {
        this.console = console;
        this.session = new Session(console, opener);
        this.completions = new CompletionPrinter(console, session::direct);
        session.deferTo(completions);
        this.settleTimeout = settleTimeout;
    }

    // ---- running commands --------------------------------------------------------------------

    /**
     * Runs one command line. Returns false once the session should end ({@code quit}).
     *
     * @throws InterruptedException when Ctrl-C interrupted a blocking command
     */
    public boolean execute(String line) throws InterruptedException {
        if (recorder != null && !line.isBlank()) {
            recorder.command(line);
        }
        List<String> argv = breakline(line);
        if (argv.isEmpty()) {
            return !quit;
        }
        int status = dispatch(argv);
        if (status != ShellCommand.OK) {
            failed = true;
        }
        settle();
        return !quit;
    }

    private int dispatch(List<String> argv) throws InterruptedException {
        String name = argv.get(0);
        Optional<Commands.Entry> found = Commands.find(name);
        if (found.isEmpty()) {
            console.error("command \"" + name + "\" not found");
            return ShellCommand.FAILED;
        }
        CommandInfo info = found.get().info();
        if (info.name().equals("wait_break") || info.name().equals("sleep")) {
            waiting();
        }
        if (!info.global() && info.needsFile() && session.device() == null) {
            console.error("no file open, try 'help open'");
            return ShellCommand.FAILED;
        }
        int argc = argv.size() - 1;
        if (!info.acceptsArgumentCount(argc)) {
            console.error(argumentCountError(info, name, argc));
            return ShellCommand.FAILED;
        }
        if (info.writes() && session.readOnly() && session.device() != null) {
            console.report("Block node is read-only");
            return ShellCommand.FAILED;
        }
        try {
            return found.get().factory().get().run(this, argv);
        } catch (CommandAborted e) {
            console.println(info.name() + ": " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /** qemu-io's {@code command()} texts for a wrong number of arguments. */
    static String argumentCountError(CommandInfo info, String typed, int argc) {
        if (info.argmax() == -1) {
            return "bad argument count " + argc + " to " + typed + ", expected at least " + info.argmin() + " arguments";
        }
        if (info.argmin() == info.argmax()) {
            return "bad argument count " + argc + " to " + typed + ", expected " + info.argmin() + " arguments";
        }
        return "bad argument count " + argc + " to " + typed + ", expected between " + info.argmin() + " and "
                + info.argmax() + " arguments";
    }

    /** qemu-io's {@code breakline}: split on single spaces, drop empty words, no quoting. */
    public static List<String> breakline(String line) {
        List<String> words = new ArrayList<>();
        for (String w : line.split(" ", -1)) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    /** Waits (bounded) until every request is done, suspended or waiting on another. */
    void settle() throws InterruptedException {
        if (!session.settle(settleTimeout)) {
            console.error("blkdebug: warning: requests still running after " + settleTimeout.toSeconds()
                    + "s; output may be out of order");
        }
    }

    /** stdin mode runs one main-loop turn before reading each command (after the prompt). */
    public void betweenCommands() throws InterruptedException {
        if (session.device() != null) {
            quickPoll();
            completions.poll(session.device(), CompletionPrinter.Poll.FAST);
        } else {
            completions.printDeferred();
        }
    }

    /** At exit: drain and print every report, close the device, print what closing finished. */
    public int finish() {
        try {
            Device d = session.device();
            if (d != null) {
                releaseHeldWhile(() -> true); // explore --orders: exit drains what it holds
                settle();
                runDelayedAndRounds(d);
                completions.poll(d, CompletionPrinter.Poll.ALL);
                List<String> stuck = suspendedTags(d);
                if (!stuck.isEmpty()) {
                    // QEMU would hang here forever; we resume them (see differences-from-qemu.md)
                    console.error("blkdebug: warning: resuming requests still suspended at exit: "
                            + String.join(", ", stuck));
                }
                session.close();
                completions.poll(d, CompletionPrinter.Poll.ALL);
            } else {
                session.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.close();
        }
        if (recorder != null) {
            try {
                recorder.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        return failed ? 1 : 0;
    }

    /**
     * QEMU's drain: every request runs as far as it can (done, suspended or waiting on one that
     * is): delayed ones wake (moving virtual time) and rounds run until none waits for one.
     */
    private void runDelayedAndRounds(Device d) throws InterruptedException {
        do {
            runDelayed(d);
        } while (runRounds(() -> false) > 0);
    }

    /** Waits out every delayed request (moving virtual time), as QEMU's drain waits for all I/O. */
    private void runDelayed(Device d) throws InterruptedException {
        while (!d.clock().runDelayed(settleTimeout)) {
            // a long delay on the wall clock: keep waiting (Ctrl-C interrupts)
        }
        settle();
    }

    private static List<String> suspendedTags(Device d) {
        List<String> tags = new ArrayList<>();
        for (RequestInfo r : d.requests()) {
            if (r.phase() == Phase.SUSPENDED && r.tag() != null) {
                tags.add(r.tag());
            }
        }
        return tags;
    }

    // ---- setup -------------------------------------------------------------------------------

    public boolean openInitial(OpenRequest request, boolean imageOpts) {
        this.imageOpts = imageOpts;
        return session.open(request, imageOpts);
    }

    /** As {@link #openInitial(OpenRequest, boolean)}; a failure's message goes to {@code failure} instead. */
    public boolean openInitial(OpenRequest request, boolean imageOpts, java.util.function.Consumer<String> failure) {
        this.imageOpts = imageOpts;
        return session.open(request, imageOpts, failure);
    }

    /**
     * Runs {@code hook} once, just before the shell first waits for something outside its script:
     * a {@code wait_break} or {@code sleep}, or a line of input that is not there yet ({@code serve}
     * starts serving clients there, once the commands given up front have set up their breakpoints).
     */
    public void beforeWaiting(Runnable hook) {
        beforeWait = hook;
    }

    /** The shell is about to wait for the outside: runs the {@link #beforeWaiting} hook, once. */
    public void waiting() {
        Runnable hook = beforeWait;
        if (hook != null) {
            beforeWait = null;
            hook.run();
        }
    }

    /** True once {@code quit} has run. */
    public boolean quitRequested() {
        return quit;
    }

    public boolean openScratch(String cache, boolean readOnly) {
        return session.openScratch(cache, readOnly);
    }

    /**
     * Explore's hook: {@code releaser} releases the next held request (true) or says none is held
     * (false). The shell calls it wherever a script would otherwise find that nothing can move.
     */
    public void releaseHeldWith(java.util.function.BooleanSupplier releaser) {
        heldReleaser = releaser;
    }

    @Override
    public java.util.function.BooleanSupplier heldReleaser() {
        return heldReleaser;
    }

    /** qemu-io's {@code --image-opts}, also when no file is named (then {@code open} takes option strings). */
    public void setImageOpts(boolean on) {
        imageOpts = on;
    }

    public void setInteractive(boolean on) {
        interactive = on;
    }

    /**
     * Whether devices opened from now on run their requests in lockstep with this shell's polls,
     * so a script replays as qemu-io runs it ({@code Main} turns it on for {@code -c} and stdin).
     * Off by default: the interactive shell (qemu-io runs its loop all the time it waits for a
     * line), {@code serve} and explore run requests free. Call before the device is opened.
     */
    public void setLockstep(boolean on) {
        session.pace(on);
    }

    public boolean failed() {
        return failed;
    }

    /** Marks the session failed from outside a command (an interrupted command). */
    public void markFailed() {
        failed = true;
    }

    // ---- Context -----------------------------------------------------------------------------

    @Override
    public Console console() {
        return console;
    }

    @Override
    public Device device() {
        return session.device();
    }

    @Override
    public boolean readOnly() {
        return session.readOnly();
    }

    @Override
    public boolean snapshot() {
        return session.snapshot();
    }

    @Override
    public DeviceSpec.Format format() {
        return session.format();
    }

    @Override
    public void mainLoop() throws InterruptedException {
        poll(CompletionPrinter.Poll.FAST);
    }

    @Override
    public void mainLoopWaiting() throws InterruptedException {
        runRounds(() -> false); // sleep N: delayed requests keep their own time (they woke or not)
        poll(CompletionPrinter.Poll.ALL);
    }

    @Override
    public void rounds(java.util.function.BooleanSupplier done) throws InterruptedException {
        runRounds(done);
    }

    /**
     * Real rounds of the loop under lockstep: each lets every request waiting after a backend
     * call go on, then waits until all are quiescent again. Stops when {@code done} holds after a
     * round (the whole round in which it came true has run) or when nobody waits for a round.
     *
     * @return how many rounds ran
     */
    private int runRounds(java.util.function.BooleanSupplier done) throws InterruptedException {
        org.blkdebug.engine.Lockstep l = session.lockstep();
        int n = 0;
        if (l == null) {
            return n;
        }
        settle();
        if (!done.getAsBoolean()) {
            bottomHalves(l); // a poll runs the scheduled bottom halves first
        }
        while (!done.getAsBoolean() && l.round() > 0) {
            n++;
            settle();
        }
        return n;
    }

    /** A poll that does not wait (stdin's prompt, {@code sleep 0}): only the bottom halves run. */
    private void quickPoll() throws InterruptedException {
        org.blkdebug.engine.Lockstep l = session.lockstep();
        settle();
        if (l != null) {
            bottomHalves(l);
        }
    }

    private void bottomHalves(org.blkdebug.engine.Lockstep l) throws InterruptedException {
        List<Long> ran = new java.util.ArrayList<>(l.bottomHalves());
        if (!ran.isEmpty()) {
            settle();
            // only those that ended in this turn: one rescheduled again, or that went on to wait
            // (a flush queue), reports from a later one
            for (org.blkdebug.engine.RequestInfo r : session.device().requests()) {
                ran.remove(Long.valueOf(r.id()));
            }
            completions.rescheduledDue(ran);
        }
    }

    @Override
    public boolean roundPending() {
        org.blkdebug.engine.Lockstep l = session.lockstep();
        return l != null && l.waiting();
    }

    @Override
    public void afterResume() throws InterruptedException {
        Device d = session.device();
        // every top: a probed raw and blkdebug on top complete inside the resume as a named raw
        // does (scenario 243), and so does a qcow2 write held before its data write that then
        // fails at once (scenario 262)
        if (d != null) {
            settle();
            completions.printResumed(d);
        }
    }

    @Override
    public void afterSyncRequest() throws InterruptedException {
        poll(CompletionPrinter.Poll.SYNC);
    }

    @Override
    public void afterLoopRequest() throws InterruptedException {
        Device d = session.device();
        if (d == null) {
            return;
        }
        settle();
        if (completions.syncUnblocked(d)) {
            quickPoll(); // the turn of the loop runs the bottom halves scheduled so far
        }
        completions.poll(d, CompletionPrinter.Poll.LOOP);
    }

    @Override
    public void afterFlush() throws InterruptedException {
        Device d = session.device();
        if (d == null) {
            return;
        }
        settle();
        completions.poll(d, CompletionPrinter.Poll.SYNC);
    }

    @Override
    public void afterSyncRound() throws InterruptedException {
        poll(CompletionPrinter.Poll.ROUND);
    }

    @Override
    public void mainLoopUntilSuspended(String tag) throws InterruptedException {
        Device d = session.device();
        if (d != null) {
            runRounds(() -> d.isSuspended(tag));
            completions.poll(d, CompletionPrinter.Poll.TAG, tag);
        }
    }

    @Override
    public boolean hasDeferredLines() {
        return completions.hasDeferred();
    }

    @Override
    public boolean suspensionPending(String tag) throws InterruptedException {
        settle(); // a request on its way there reports it before it parks
        return completions.suspensionPending(tag);
    }

    private void poll(CompletionPrinter.Poll kind) throws InterruptedException {
        Device d = session.device();
        if (d != null) {
            if (kind == CompletionPrinter.Poll.FAST) {
                quickPoll();
            } else {
                settle();
            }
            completions.poll(d, kind);
        }
    }

    @Override
    public String drain() throws InterruptedException {
        Device d = session.device();
        releaseHeldWhile(() -> true); // explore --orders: a drain waits for what it holds too
        settle();
        runDelayedAndRounds(d);
        completions.poll(d, CompletionPrinter.Poll.ALL);
        List<String> stuck = suspendedTags(d);
        return stuck.isEmpty() ? null : stuck.getFirst();
    }

    @Override
    public Duration settleTimeout() {
        return settleTimeout;
    }

    @Override
    public boolean open(OpenRequest request) {
        return session.open(request, imageOpts);
    }

    @Override
    public boolean imageOpts() {
        return imageOpts;
    }

    @Override
    public void close() {
        Device d = session.device();
        if (d != null) {
            try {
                releaseHeldWhile(() -> true); // explore --orders: close drains what it holds
                settle();
                runRounds(() -> false); // bdrv_close drains: every request runs as far as it can
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            completions.poll(d, CompletionPrinter.Poll.ALL);
            session.close();
            completions.poll(d, CompletionPrinter.Poll.ALL);
        }
    }

    @Override
    public void crashed() {
        session.crashed();
    }

    /** {@code --log-writes FILE}: the first device the session opens logs its writes there. */
    public void logWrites(Path file) {
        session.logWrites(file);
    }

    @Override
    public org.blkdebug.engine.nbd.NbdServer nbdServer() {
        return session.nbdServer();
    }

    @Override
    public void nbdServer(org.blkdebug.engine.nbd.NbdServer server) {
        session.nbdServer(server);
    }

    @Override
    public void quit() {
        quit = true;
    }

    @Override
    public List<CommandInfo> commands() {
        return Commands.infos();
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public void record(Path file) throws IOException {
        if (recorder != null) {
            recorder.close();
        }
        recorder = new Recorder(file);
    }
}
