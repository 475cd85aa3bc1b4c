package org.blkdebug.cli.serve;

import java.io.BufferedReader;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.shell.ScriptRunner;
import org.blkdebug.cli.shell.Shell;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.nbd.NbdServer;

/**
 * One {@code blkdebug serve} session, callable in-process: the device exported over NBD as
 * qemu-nbd exports it, the shell's commands ({@code -c}, stdin, or the interactive shell)
 * stepping its requests, and nbdkit's captive {@code --run} command as the client.
 *
 * <pre>
 * open the device (qemu-nbd's defaults: cache writeback) → listen → pid file → ready
 *   → the shell's commands, while clients come and go ({@code --run} starts its command
 *     before the first wait_break/sleep, or once the commands end)
 *   → serve on until {@link #terminate} (SIGINT/SIGTERM), the --run command exits, or,
 *     without -t, the last client leaves ({@code quit} or Ctrl-D end it at once)
 *   → remove every breakpoint and resume what is suspended (a warning names them), answer
 *     what is in flight, hang up, remove the socket and the pid file, close the device
 * </pre>
 *
 * The exit status is the {@code --run} command's when there is one, else the shell's (1 when a
 * command failed). Signals are not installed here ({@link ServeMain} does that), so a caller
 * in the same JVM ends a session with {@link #terminate}.
 */
public final class ServeSession {
    /** Bound on how long the shell waits for the device to settle after one command. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    /** How long the end waits for the command thread to notice it was interrupted. */
    private static final Duration COMMANDS_STOP = Duration.ofSeconds(2);

    private final Console console;
    /** Completed (with the reason) when the session is told to end: a signal or a caller. */
    private final CompletableFuture<String> terminated = new CompletableFuture<>();
    private final CompletableFuture<NbdServer> started = new CompletableFuture<>();
    /** The --run command's exit status, once it has exited. */
    private final CompletableFuture<Integer> captiveExit = new CompletableFuture<>();
    private volatile Thread commandThread;
    private volatile Process captive;

    public ServeSession(Console console) {
        this.console = console;
    }

    /**
     * Ends the session as SIGTERM does: the shell's command in progress is interrupted, the rest
     * of its commands are not run, and the session shuts down. Any thread; idempotent.
     */
    public void terminate(String reason) {
        if (terminated.complete(reason)) {
            Thread t = commandThread;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    /** The server, once it serves clients (for callers in the same JVM). */
    public CompletableFuture<NbdServer> server() {
        return started;
    }

    /**
     * Runs the whole session; returns the exit status.
     *
     * @param args  what follows {@code serve} on the command line
     * @param ready called once the socket accepts and the pid file is written (--fork's parent
     *              returns then)
     */
    public int run(String[] args, InputStream stdin, boolean stdinIsTerminal, Runnable ready) {
        ServeArgs a;
        try {
            a = ServeArgs.parse(args);
        } catch (ServeArgs.BadArguments e) {
            console.error("qemu-nbd: " + e.getMessage());
            if (e.tryHelp) {
                console.error((e.getMessage().equals("Invalid number of arguments") ? "" : "qemu-nbd: ")
                        + "Try `blkdebug serve --help' for more information.");
            }
            return 1;
        }
        if (a.help()) {
            console.print(ServeArgs.USAGE);
            return 0;
        }
        if (a.version()) {
            console.println("blkdebug serve 0.1.0 (qemu-nbd 7.2 compatible)");
            return 0;
        }
        Shell shell = new Shell(console, SETTLE_TIMEOUT);
        if (a.record() != null) {
            try {
                shell.record(Path.of(a.record()));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                console.error("qemu-nbd: cannot write " + a.record() + ": " + e.getMessage());
                return 1;
            }
        }
        if (!shell.openInitial(new OpenRequest(a.file(), null, a.format(), a.cache(), a.readOnly()), a.imageOpts(),
                msg -> console.error("qemu-nbd: Failed to blk_new_open '" + a.file() + "': " + msg))) {
            shell.finish();
            return 1;
        }
        NbdServer server;
        try {
            if (a.socket() != null) {
                deleteStaleSocket(Path.of(a.socket()));
            }
            server = NbdServer.bind(shell.device(), options(a)); // clients may connect; they wait to be served
        } catch (IOException | RuntimeException e) {
            console.error("qemu-nbd: " + bindFailure(a, e));
            shell.finish();
            return 1;
        }
        shell.nbdServer(server);
        Path pidFile = a.pidFile() == null ? null : Path.of(a.pidFile());
        try {
            if (pidFile != null) {
                Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
            }
        } catch (IOException e) {
            console.error("qemu-nbd: Failed to write pid file '" + a.pidFile() + "': " + e.getMessage());
            server.close();
            shell.finish();
            return 1;
        }
        boolean interactive = a.commands().isEmpty() && stdinIsTerminal;
        boolean stdinScript = a.commands().isEmpty() && !stdinIsTerminal;
        if (interactive) {
            console.println("NBD export at " + server.uri());
        }
        ready.run();
        // Clients are served, and --run's command starts, once the commands given up front have run:
        // a breakpoint they set is in place for the first request.
        Runnable serve = () -> {
            server.acceptClients();
            started.complete(server);
            if (a.run() != null) {
                startCaptive(a, server, shell, stdinScript);
            }
        };
        try {
            boolean endNow = runCommands(a, shell, serve, stdin, interactive, stdinScript);
            if (!endNow) {
                serve.run(); // idempotent: the commands may have ended without waiting
                awaitEnd(a, server);
            }
            return shutdown(a, shell, server, pidFile);
        } finally {
            Process p = captive;
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
    }

    private NbdServer.Options options(ServeArgs a) {
        NbdServer.Options o = a.socket() != null ? NbdServer.Options.unix(Path.of(a.socket()))
                : NbdServer.Options.tcp(a.bind(), Integer.decode(a.port()));
        return o.withExportName(a.exportName()).withDescription(a.description()).withReadOnly(a.readOnly())
                .withMaxConnections(a.shared()).withUnmap(a.unmap()).withDetectZeroes(!a.detectZeroes().equals("off"))
                .withLog(a.verbose() ? line -> console.error("blkdebug: nbd: " + line) : null);
    }

    /** qemu-nbd (QEMU's unix_listen) replaces whatever is at the socket's path; we replace a socket or a file. */
    private static void deleteStaleSocket(Path socket) throws IOException {
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(socket)) {
            Files.delete(socket);
        }
    }

    /** qemu-nbd's words for a socket it cannot listen on. */
    private String bindFailure(ServeArgs a, Exception e) {
        String why = Errno.message(Errno.of(e));
        return a.socket() != null ? "Failed to bind socket to " + a.socket() + ": " + why
                : "Failed to find an available port: " + why;
    }

    // ---- the shell's commands ----------------------------------------------------------------------

    /**
     * Runs the shell's commands on a thread of their own, so a signal can end the session even
     * while it waits for a line of stdin (which no interrupt wakes).
     *
     * @return true when the session should end at once ({@code quit}, Ctrl-D, or terminated)
     */
    private boolean runCommands(ServeArgs a, Shell shell, Runnable serve, InputStream stdin, boolean interactive,
                                boolean stdinScript) {
        if (interactive) {
            serve.run(); // a person types: serve at once
        } else {
            shell.beforeWaiting(serve);
        }
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread t = Thread.ofPlatform().daemon().name("serve-commands").unstarted(() -> {
            try {
                if (!a.commands().isEmpty()) {
                    ScriptRunner.runCommands(shell, a.commands());
                } else if (stdinScript) {
                    // no prompts: a server's stdin is a script or /dev/null, not a qemu-io session
                    ScriptRunner.runStdin(shell, new BufferedReader(new InputStreamReader(
                            new UntilTerminated(stdin), Charset.defaultCharset())), false);
                } else {
                    org.blkdebug.cli.Main.interactive(shell);
                }
            } catch (IOException e) {
                console.report(e.getMessage());
                shell.markFailed();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        if (terminated.isDone()) {
            return true;
        }
        commandThread = t;
        t.start();
        try {
            while (!t.join(Duration.ofMillis(100))) {
                if (terminated.isDone()) {
                    t.interrupt();
                    t.join(COMMANDS_STOP); // a thread still reading stdin is left behind; UntilTerminated mutes it
                    return true;
                }
            }
        } catch (InterruptedException e) {
            terminate("interrupted");
            return true;
        } finally {
            commandThread = null;
        }
        if (interrupted.get() && !terminated.isDone()) {
            shell.markFailed();
        }
        return terminated.isDone() || shell.quitRequested() || interactive;
    }

    /** stdin that reads as ended once the session is terminated: a line read after that is not run. */
    private final class UntilTerminated extends FilterInputStream {
        UntilTerminated(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = terminated.isDone() ? -1 : super.read();
            return terminated.isDone() ? -1 : c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = terminated.isDone() ? -1 : super.read(b, off, len);
            return terminated.isDone() ? -1 : n;
        }
    }

    // ---- --run ------------------------------------------------------------------------------------

    /**
     * Starts the captive command once. Its output goes to ours; it reads our stdin unless the
     * shell's commands come from there. When it exits, the server stops (no client comes any
     * more, as nbdkit exits then); the shell's remaining commands still run.
     */
    private synchronized void startCaptive(ServeArgs a, NbdServer server, Shell shell, boolean stdinScript) {
        if (captive != null || captiveExit.isDone() || terminated.isDone()) {
            return;
        }
        ProcessBuilder pb = server.captive(a.run()).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(stdinScript ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            console.error("qemu-nbd: cannot run '" + a.run() + "': " + e.getMessage());
            captiveExit.complete(127);
            return;
        }
        captive = p;
        Thread.ofVirtual().name("serve-run").start(() -> {
            int status;
            try {
                status = p.waitFor();
            } catch (InterruptedException e) {
                status = 1;
            }
            shell.nbdServer(null); // a wait in the rest of the script may fail now: nobody can come (D11)
            server.close();
            captiveExit.complete(status);
        });
    }

    // ---- the end ----------------------------------------------------------------------------------

    /** Serves on until terminated, the --run command exits, or (without -t) the last client leaves. */
    private void awaitEnd(ServeArgs a, NbdServer server) {
        List<CompletableFuture<?>> ends = new ArrayList<>(List.of(terminated));
        if (a.run() != null) {
            ends.add(captiveExit);
        } else if (!a.persistent()) {
            ends.add(server.lastClientGone());
        }
        try {
            CompletableFuture.anyOf(ends.toArray(new CompletableFuture<?>[0])).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // none of them fails
        }
    }

    private int shutdown(ServeArgs a, Shell shell, NbdServer server, Path pidFile) {
        Device d = shell.device();
        if (d != null) {
            releaseEverything(d);
        }
        server.close(); // answers what is in flight, hangs up, removes the socket
        shell.nbdServer(null);
        Process p = captive;
        if (p != null && p.isAlive() && terminated.isDone()) {
            p.destroy(); // we were told to end: so is our client
        }
        int status = shell.finish();
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a stale pid file names a process that is gone
            }
        }
        if (a.run() == null) {
            return status;
        }
        if (p == null) {
            return captiveExit.getNow(status);
        }
        try {
            p.waitFor(COMMANDS_STOP.toMillis(), TimeUnit.MILLISECONDS);
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(COMMANDS_STOP.toMillis(), TimeUnit.MILLISECONDS);
            }
            return p.isAlive() ? 1 : p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * Removes every breakpoint and resumes every suspended request, so the requests of clients
     * still connected finish and are answered before the server hangs up (QEMU would wait for them
     * forever; see differences-from-qemu D5). Warns with the tags it resumed.
     */
    private void releaseEverything(Device d) {
        Set<String> tags = new LinkedHashSet<>();
        for (List<Rule> rules : d.rules().values()) {
            for (Rule r : rules) {
                if (r instanceof Rule.Suspend b) {
                    tags.add(b.tag());
                }
            }
        }
        Set<String> suspended = new LinkedHashSet<>();
        for (int round = 0; round < 100; round++) {
            Set<String> now = new LinkedHashSet<>(tags);
            tags.clear();
            for (RequestInfo r : d.requests()) {
                if (r.phase() == Phase.SUSPENDED && r.tag() != null) {
                    now.add(r.tag());
                    suspended.add(r.tag());
                }
            }
            if (now.isEmpty()) {
                break;
            }
            for (String tag : now) {
                try {
                    d.removeBreakpoint(tag);
                } catch (BlockException ignored) {
                    // released meanwhile
                }
            }
            try {
                d.awaitQuiescence(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!suspended.isEmpty()) {
            console.error("blkdebug: warning: resuming requests still suspended at exit: " + String.join(", ", suspended));
        }
    }
}
