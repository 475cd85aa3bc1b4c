package org.blkdebug.cli.commands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.blkdebug.cli.report.Console;

/** The commands about the session itself: help, open, close, quit, sleep, and their kin. */
final class SessionCommands {
    private SessionCommands() {
    }

    static final CommandInfo HELP = CommandInfo.of("help", "[command]", "help for one or all commands", 0, 1)
            .withAlias("?").asGlobal();
    static final CommandInfo QUIT = CommandInfo.of("quit", null, "exit the program", 0, -1).withAlias("q").asGlobal();
    static final CommandInfo CLOSE = CommandInfo.of("close", null, "close the current open file", 0, 0).withAlias("c");
    static final CommandInfo OPEN = CommandInfo.of("open", "[-rsCnkU] [-t cache] [-d discard] [-o options] [path]",
            "open the file specified by path", 1, -1).withHelpOf("open").asGlobal();
    static final CommandInfo SLEEP = CommandInfo.of("sleep", null, "waits for the given value in milliseconds", 1, 1)
            .asNoFile();
    static final CommandInfo ABORT = CommandInfo.of("abort", null, "simulate a program crash using abort(3)", 0, 0)
            .asNoFile();
    static final CommandInfo SIGRAISE = CommandInfo.of("sigraise", "signal", "raises a signal", 1, 1)
            .withHelpOf("sigraise").asNoFile();
    static final CommandInfo REOPEN = CommandInfo.of("reopen", "[(-r|-w)] [-c cache] [-o options]",
            "reopens an image with new options", 0, -1).withHelpOf("reopen");
    static final CommandInfo RECORD = CommandInfo.of("record", "file",
            "writes this session's commands to file as a replayable script (blkdebug extension)", 1, 1).asGlobal();

    static int help(Context ctx, List<String> argv) {
        Console out = ctx.console();
        if (argv.size() == 1) {
            for (CommandInfo c : ctx.commands()) {
                if (!Commands.isExtension(c.name())) {
                    out.println(c.oneLineHelp(c.name()));
                }
            }
            out.println("");
            out.println("Use 'help commandname' for extended help.");
            if (ctx.interactive()) {
                out.println("");
                out.println("blkdebug extensions (not in qemu-io):");
                for (CommandInfo c : ctx.commands()) {
                    if (Commands.isExtension(c.name())) {
                        out.println(c.oneLineHelp(c.name()));
                    }
                }
                out.println("wait_break tag [timeout] -- also takes a timeout such as 5s, 500ms or 2m");
                for (CommandInfo c : ctx.commands()) {
                    if (c.designName() != null) {
                        out.println(c.designName() + " " + (c.args() == null ? "" : c.args() + " ")
                                + "-- the same as " + c.name());
                    }
                }
            }
            return ShellCommand.OK;
        }
        String typed = argv.get(1);
        for (CommandInfo c : ctx.commands()) {
            if (c.matches(typed)) {
                out.println(c.oneLineHelp(typed));
                if (c.help() != null) {
                    out.print(c.help());
                }
                return ShellCommand.OK;
            }
        }
        out.println("command " + typed + " not found");
        return ShellCommand.FAILED;
    }

    static int quit(Context ctx, List<String> argv) {
        ctx.quit();
        return ShellCommand.OK;
    }

    static int close(Context ctx, List<String> argv) {
        ctx.close();
        return ShellCommand.OK;
    }

    /** {@code sleep MS}: runs the main loop for that long, so aio results print meanwhile. */
    static int sleep(Context ctx, List<String> argv) throws InterruptedException {
        Long ms = Numbers.strtolWhole(argv.get(1));
        if (ms == null || ms < 0) {
            ctx.console().println(argv.get(1) + " is not a valid number");
            return ShellCommand.FAILED;
        }
        if (!FaultCommands.sleepVirtual(ctx, ms)) { // with clock=virtual, the device's time moves instead
            Thread.sleep(ms);
        }
        if (ctx.device() != null) {
            // "sleep 0" is one loop turn and misses requests still doing file I/O
            if (ms > 0) {
                ctx.mainLoopWaiting();
            } else {
                ctx.mainLoop();
            }
        }
        return ShellCommand.OK;
    }

    static int abort(Context ctx, List<String> argv) {
        Runtime.getRuntime().halt(134); // 128 + SIGABRT, as a shell reports abort(3)
        return ShellCommand.FAILED;
    }

    static int sigraise(Context ctx, List<String> argv) {
        long sig;
        try {
            sig = Numbers.cvtnum(argv.get(1), ctx.console()::warn);
        } catch (Numbers.NumberFormatError e) {
            ctx.console().println(e.getMessage());
            return ShellCommand.FAILED;
        }
        if (sig > 65) {
            ctx.console().println("signal argument '" + argv.get(1) + "' is too large to be a valid signal");
            return ShellCommand.FAILED;
        }
        Runtime.getRuntime().halt((int) (128 + sig));
        return ShellCommand.FAILED;
    }

    static int reopen(Context ctx, List<String> argv) {
        ctx.console().report("reopen is not supported by blkdebug; use close and open");
        return ShellCommand.FAILED;
    }

    static int record(Context ctx, List<String> argv) {
        try {
            ctx.record(Path.of(argv.get(1)));
            return ShellCommand.OK;
        } catch (IOException | java.nio.file.InvalidPathException e) {
            ctx.console().println("record: cannot write " + argv.get(1) + ": " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /** {@code open [-rsCnkU] [-t cache] [-d discard] [-o options] [path]}. */
    static final class Open extends GetoptCommand {
        boolean readOnly;
        boolean snapshot;
        boolean copyOnRead;
        boolean nocache;
        /** -k or -i native; -U: checked at open as QEMU checks them, no effect otherwise. */
        boolean nativeAio;
        boolean forceShare;
        private String discard;
        private String cache = "writethrough";
        private String options;

        @Override
        void option(char c, String arg) {
            switch (c) {
                case 'r' -> readOnly = true;
                case 's' -> snapshot = true;
                case 'C' -> copyOnRead = true;
                case 'n' -> nocache = true;
                case 't' -> cache(arg);
                case 'd' -> discard(arg);
                case 'o' -> options(arg);
                case 'k' -> nativeAio = true;
                case 'U' -> forceShare = true;
                case 'i' -> aio(arg);
                default -> { }
            }
        }

        private void aio(String mode) {
            Boolean isNative = Context.OpenRequest.nativeAio(mode);
            if (isNative == null) {
                throw new ReportedError("Invalid aio option: " + mode);
            }
            nativeAio |= isNative;
        }

        private void cache(String c) {
            if (!Commands.CACHE_MODES.contains(c)) {
                throw new ReportedError("Invalid cache option: " + c);
            }
            cache = c;
        }

        private void discard(String d) {
            if (Context.OpenRequest.unmap(d) == null) {
                throw new ReportedError("Invalid discard option: " + d);
            }
            discard = d;
        }

        private void options(String o) {
            options = options == null ? o : options + "," + o;
        }

        @Override
        CommandInfo info() {
            return OPEN;
        }

        @Override
        String optstring() {
            return "snCro:ki:t:d:U";
        }

        @Override
        int execute(Context ctx) {
            if (operands.size() > 1) {
                return usage();
            }
            if (options != null && ctx.imageOpts()) {
                ctx.console().println("--image-opts and 'open -o' are mutually exclusive");
                return FAILED;
            }
            if (nocache) {
                cache = "none";
            }
            String path = operands.isEmpty() ? null : operands.get(0);
            boolean unmap = Context.OpenRequest.unmap(discard);
            return ctx.open(new Context.OpenRequest(path, options, null, cache, readOnly, snapshot, copyOnRead,
                    unmap, nativeAio, forceShare)) ? OK : FAILED;
        }
    }
}
