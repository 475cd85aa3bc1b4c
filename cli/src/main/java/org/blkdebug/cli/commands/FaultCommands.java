package org.blkdebug.cli.commands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceClock;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.crash.CommandCheck;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.crash.CrashStates;

/**
 * Our fault commands (docs/faults.md): {@code crash}, {@code crash-states}, {@code mark} and
 * {@code clock}. None is qemu-io's.
 */
final class FaultCommands {
    private FaultCommands() {
    }

    static final CommandInfo CRASH = CommandInfo.of("crash", "[--keep none|all|random|prefix N|LIST] [--seed S] [--torn] [--of N]",
            "cuts the power: unflushed writes may be lost, the device closes (blkdebug extension)", 0, -1)
            .withHelp("""

             cuts the power of the device: requests in flight never complete, the device
             closes, and the image becomes one state a power cut could leave

             Example:
             'crash' - keeps every durable write and no volatile one
             'crash --keep random --seed 7 --torn' - any subset, a kept write maybe in part
             'crash --keep prefix 2' - the first two volatile writes in completion order
             'crash --keep 1,3:0-2 --of 4' - writes 1 and 3 of 4; of write 3 sectors 0-2 only

             A write is volatile from its completion until a flush that reached the disk after
             it completed has completed; FUA writes and every write under writethrough or
             directsync are durable when they complete; under unsafe nothing is. crash prints
             the state it made as a crash line that makes it again. With an NBD export, every
             connection drops at once.

            """);
    static final CommandInfo CRASH_STATES = CommandInfo.of("crash-states", "[--max N] [--torn] [--seed S] --check CMD",
            "runs CMD on every state a crash now could leave (blkdebug extension)", 2, -1)
            .withAlias("crash_states").withHelp("""

             runs CMD on each distinct state a crash now could leave; the device goes on as it was

             Example:
             'crash-states --check qemu-img compare -f raw -F raw {} ref.img'
             'crash-states --max 500 --torn --check nbdinfo --size {uri}'

             Everything after --check is the command, run by sh -c. {} is a file holding the
             state, {uri} an NBD URI exporting it (writes to it stay private). Exit status 0
             accepts a state. All subsets of the volatile writes are tried when there are at
             most --max (default 1000); beyond, families (prefixes, all but one, torn ones)
             then random subsets drawn from --seed (default 1). --torn also tries writes kept
             in part, by 512-byte sector. Each rejected state is printed with the crash line
             that makes it.

            """);
    static final CommandInfo MARK = CommandInfo.of("mark", "name",
            "adds a mark to the write log (--log-writes) for replay --to (blkdebug extension)", 1, 1);
    static final CommandInfo CLOCK = CommandInfo.of("clock", null,
            "prints the device's time: virtual with clock=virtual, else since open (blkdebug extension)", 0, 0);

    /** {@code crash [ARGS]}. */
    static int crash(Context ctx, List<String> argv) {
        Console out = ctx.console();
        Device dev = ctx.device();
        CrashChoice choice;
        try {
            choice = CrashChoice.parse(argv.subList(1, argv.size()), new java.security.SecureRandom().nextLong() >>> 1);
            dev.resolveCrash(choice); // a choice that does not fit fails before the power goes
        } catch (IllegalArgumentException e) {
            out.println("crash: " + e.getMessage());
            return ShellCommand.FAILED;
        } catch (BlockException e) {
            return refused(out, "crash", e);
        }
        if (ctx.nbdServer() != null) {
            ctx.nbdServer().dropAll(); // every client loses its connection at once
        }
        try {
            CrashChoice.Explicit made = dev.crash(choice);
            ctx.crashed();
            out.println("crash " + made);
            return ShellCommand.OK;
        } catch (IllegalArgumentException e) {
            // the writes changed between the check and the crash (an NBD client): nothing is lost
            out.println("crash: " + e.getMessage());
            return ShellCommand.FAILED;
        } catch (BlockException e) {
            return refused(out, "crash", e);
        }
    }

    private static int refused(Console out, String cmd, BlockException e) {
        if (e.errno() == Errno.ENOTSUP) {
            out.println(cmd + ": this device has no volatile write cache");
        } else {
            out.println(cmd + ": " + e.getMessage());
        }
        return ShellCommand.FAILED;
    }

    /** {@code crash-states [--max N] [--torn] [--seed S] --check CMD...}. */
    static int crashStates(Context ctx, List<String> argv) throws InterruptedException {
        Console out = ctx.console();
        CrashStates.Options o = CrashStates.Options.defaults();
        String cmd = null;
        try {
            for (int i = 1; i < argv.size(); i++) {
                String a = argv.get(i);
                switch (a) {
                    case "--max" -> o = o.withMax(positive(argv, ++i, a));
                    case "--seed" -> o = o.withSeed(unsigned(argv, ++i, a));
                    case "--torn" -> o = o.withTorn(true);
                    case "--check" -> {
                        cmd = unquote(String.join(" ", argv.subList(i + 1, argv.size())));
                        i = argv.size();
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (cmd == null || cmd.isEmpty()) {
                throw new IllegalArgumentException("--check CMD is required");
            }
        } catch (IllegalArgumentException e) {
            out.println("crash-states: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        Path work = workDir(ctx);
        CrashStates.Report r;
        try (CommandCheck check = new CommandCheck(cmd, work, CommandCheck.DEFAULT_TIMEOUT)) {
            r = ctx.device().crashStates(o, check);
        } catch (BlockException e) {
            if (e.errno() == Errno.EINTR) {
                throw new InterruptedException();
            }
            return refused(out, "crash-states", e);
        } catch (java.io.IOException e) {
            out.println("crash-states: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        for (CrashStates.Rejection x : r.rejected()) {
            out.println("crash-states: state " + x.state() + " rejected: " + x.replayLine());
            String[] lines = x.reason().split("\n");
            for (int i = 0; i < Math.min(lines.length, 10); i++) {
                out.println("  " + lines[i]);
            }
            if (lines.length > 10) {
                out.println("  ...");
            }
        }
        out.println(String.format(Locale.ROOT, "crash-states: %d volatile write%s, %d state%s checked (%s), %d rejected, %.3f ms per state",
                r.volatileWrites(), r.volatileWrites() == 1 ? "" : "s", r.checked(), r.checked() == 1 ? "" : "s",
                r.exhaustive() ? "all" : "sampled, seed " + Long.toUnsignedString(o.seed()),
                r.rejected().size(), r.nanosPerState() / 1e6));
        return r.passed() ? ShellCommand.OK : ShellCommand.FAILED;
    }

    /** Where the state file of {@code {}} goes: the temp directory (the image may be in memory). */
    private static Path workDir(Context ctx) {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** One pair of surrounding quotes, as a user would type them around the command. */
    static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && (t.charAt(0) == '\'' || t.charAt(0) == '"') && t.charAt(t.length() - 1) == t.charAt(0)) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    private static int positive(List<String> argv, int i, String option) {
        if (i >= argv.size() || !argv.get(i).matches("[0-9]{1,9}") || Integer.parseInt(argv.get(i)) < 1) {
            throw new IllegalArgumentException(option + " needs a number of at least 1");
        }
        return Integer.parseInt(argv.get(i));
    }

    private static long unsigned(List<String> argv, int i, String option) {
        try {
            return Long.parseUnsignedLong(argv.get(i));
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number");
        }
    }

    /** {@code mark NAME}. */
    static int mark(Context ctx, List<String> argv) {
        try {
            ctx.device().mark(argv.get(1));
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().println(e.errno() == Errno.ENOTSUP ? "mark: no write log; start with --log-writes FILE"
                    : "mark: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /** {@code clock}: milliseconds, three decimals. */
    static int clock(Context ctx, List<String> argv) {
        DeviceClock c = ctx.device().clock();
        ctx.console().println(String.format(Locale.ROOT, "clock: %.3f ms (%s)", c.nanos() / 1e6,
                c.isVirtual() ? "virtual" : "wall, since open"));
        return ShellCommand.OK;
    }

    /** {@code sleep MS} on the device's clock: virtual time moves, no wall time passes. */
    static boolean sleepVirtual(Context ctx, long ms) throws InterruptedException {
        Device d = ctx.device();
        if (d == null || !d.clock().isVirtual()) {
            return false;
        }
        d.clock().sleep(Duration.ofMillis(ms));
        return true;
    }
}
