package org.blkdebug.cli;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.blkdebug.cli.bench.Bench;
import org.blkdebug.cli.commands.Commands;
import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.explore.ExploreCommand;
import org.blkdebug.cli.explore.Scenario;
import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.shell.InteractiveShell;
import org.blkdebug.cli.shell.ScriptRunner;
import org.blkdebug.cli.shell.Shell;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code blkdebug [-f raw] [-t CACHE] [-r] [--image-opts] [-c CMD]... [FILE]}: a drop-in for
 * qemu-io on blkdebug. Opens the device, runs the commands from {@code -c}, piped stdin or the
 * interactive shell, and exits 1 when a synchronous command failed.
 */
public final class Main {
    /** Bound on how long the shell waits for the device to settle after one command. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("bench")) {
            // blkdebug bench …: qemu-img bench's benchmark, not a shell session
            System.exit(Bench.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("create")) {
            // blkdebug create …: qemu-img create's image making, for machines without QEMU
            System.exit(org.blkdebug.cli.create.Create.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                    System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("replay")) {
            // blkdebug replay …: dm-log-writes' replay-log for our write logs
            System.exit(org.blkdebug.cli.replay.ReplayTool.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                    System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("--aot-training")) {
            // run by ./blkdebug after a build; see AotTraining
            int status = AotTraining.run(args.length > 1 && args[1].equals("shell"));
            if (Runtime.version().feature() >= 25) {
                // System.exit's logging would put ~40 classes more into the cache (see exit);
                // JDK 25 writes its AOT cache at a halt as well
                Runtime.getRuntime().halt(status);
            }
            System.exit(status);
        }
        if (args.length > 0 && args[0].equals("serve")) {
            // blkdebug serve …: qemu-nbd's command line, with the shell stepping the clients' requests
            System.exit(org.blkdebug.cli.serve.ServeMain.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        Console console = new Console(new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), Charset.defaultCharset());
        if (args.length > 0 && args[0].equals("explore")) {
            exit(explore(java.util.Arrays.copyOfRange(args, 1, args.length), console, System.in));
        }
        exit(run(args, console, System.in, isTerminal()));
    }

    /** Set once the interactive shell ran: JLine may have left shutdown hooks to run. */
    private static volatile boolean interactiveRan;

    /**
     * Ends the process with a session's exit status. {@code System.exit} first logs the exit
     * through {@code System.Logger}, whose first use scans every jar on the class path for a
     * logging provider (~25 ms of CPU, a tenth of a script's start: docs/performance.md, target 6).
     * The shell and explore register no shutdown hooks; so when the launcher says no agent or
     * flight recording may have (blkdebug.halt), the output is flushed and the JVM halted.
     */
    private static void exit(int status) {
        if (!interactiveRan && Boolean.getBoolean("blkdebug.halt")) {
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
        System.exit(status);
    }

    /** Runs a whole session; returns the exit status. */
    public static int run(String[] args, Console console, InputStream stdin, boolean stdinIsTerminal) {
        Invocation inv = new Invocation();
        Integer early = parse(args, inv, console);
        if (early != null) {
            return early;
        }
        String cache = inv.nocache && inv.cache == null ? "none" : inv.cache;
        if (cache != null && !Commands.CACHE_MODES.contains(cache)) {
            console.report("Invalid cache option: " + cache);
            return 1;
        }
        Boolean unmap = OpenRequest.unmap(inv.discard);
        if (unmap == null) {
            console.report("Invalid discard option: " + inv.discard);
            return 1;
        }
        Shell shell = new Shell(console, SETTLE_TIMEOUT);
        shell.setImageOpts(inv.imageOpts);
        if (inv.record != null) {
            try {
                shell.record(Path.of(inv.record));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                console.report("cannot write " + inv.record + ": " + e.getMessage());
                return 1;
            }
        }
        if (inv.logWrites != null) {
            try {
                shell.logWrites(Path.of(inv.logWrites));
            } catch (java.nio.file.InvalidPathException e) {
                console.report("cannot write " + inv.logWrites + ": " + e.getMessage());
                return 1;
            }
        }
        boolean interactive = inv.commands.isEmpty() && stdinIsTerminal;
        shell.setLockstep(!interactive); // a script's requests move at qemu-io's polls; a prompt polls all along
        // Without a file, qemu-io starts with none open (scripts then "open" one); only the
        // interactive shell gets the scratch image, so "try it now" needs no arguments.
        boolean opened = inv.files.isEmpty()
                ? !interactive || shell.openScratch(cache, inv.readOnly)
                : shell.openInitial(new OpenRequest(inv.files.getFirst(), null, inv.format, cache, inv.readOnly,
                        inv.snapshot, inv.copyOnRead, unmap, inv.nativeAio, inv.forceShare), inv.imageOpts);
        if (!opened) {
            shell.finish();
            return 1;
        }
        try {
            if (!inv.commands.isEmpty()) {
                ScriptRunner.runCommands(shell, inv.commands);
            } else if (!stdinIsTerminal) {
                ScriptRunner.runStdin(shell, new BufferedReader(new InputStreamReader(stdin, Charset.defaultCharset())));
            } else {
                interactive(shell);
            }
        } catch (IOException e) {
            console.report(e.getMessage());
            shell.markFailed();
        } catch (InterruptedException e) {
            shell.markFailed();
        }
        return shell.finish();
    }

    /** {@code blkdebug explore AXES... [qemu-io arguments]}: the scenario run many times (docs/explore.md). */
    static int explore(String[] args, Console console, InputStream stdin) {
        return ExploreCommand.run(args, console, stdin, rest -> scenario(rest, console));
    }

    /**
     * The qemu-io part of an explore command line, checked as a session's is; null (with the
     * message printed) when it is bad.
     */
    static Scenario scenario(java.util.List<String> args, Console console) {
        Invocation inv = new Invocation();
        if (parse(args.toArray(String[]::new), inv, console) != null) {
            return null;
        }
        String cache = inv.nocache && inv.cache == null ? "none" : inv.cache;
        if (cache != null && !Commands.CACHE_MODES.contains(cache)) {
            console.report("Invalid cache option: " + cache);
            return null;
        }
        if (inv.record != null) {
            console.report("--record writes one session: replay one run with explore --choice, then record it");
            return null;
        }
        return new Scenario(args, inv.commands, null, inv.files.isEmpty() ? null : inv.files.getFirst(), inv.format,
                cache, inv.readOnly, inv.imageOpts);
    }

    /** Parses the command line; returns an exit status when the program should stop now. */
    private static Integer parse(String[] args, Invocation inv, Console console) {
        String bad = inv.parse(args);
        if (bad != null) {
            console.report(bad);
            console.print(Invocation.USAGE);
            return 1;
        }
        if (inv.badValue != null) {
            console.report(inv.badValue);
            return 1;
        }
        if (inv.objectHelp != null) {
            console.print(inv.objectHelp);
            return 0;
        }
        if (inv.help) {
            console.print(Invocation.USAGE);
            return 0;
        }
        if (inv.version) {
            console.print(Invocation.VERSION);
            return 0;
        }
        if (inv.files.size() > 1) {
            console.print(Invocation.USAGE);
            return 1;
        }
        if (inv.imageOpts && inv.format != null) {
            console.report("--image-opts and -f are mutually exclusive");
            return 1;
        }
        return null;
    }

    /** The interactive JLine shell on the system terminal, until Ctrl-D or {@code quit}. */
    public static void interactive(Shell shell) throws IOException {
        interactiveRan = true;
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            Path history = Path.of(System.getProperty("user.home"), ".blkdebug_history");
            new InteractiveShell(shell, terminal, history).run();
        }
    }

    /** Whether stdin is a terminal (qemu-io's scripted mode is "stdin is not a terminal"). */
    public static boolean isTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
