package org.blkdebug.cli.commands;

import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Stats;

/**
 * A command with getopt options, as qemu-io's: {@link Getopt} hands each to {@link #option} in
 * order; errors in getopt's words and order ({@code read: invalid option -- 'x'} on stderr then
 * the usage line on stdout; a bad option value, {@link ArgumentError}, on stdout). Subclasses
 * take their options and implement {@link #execute}. (No reflection here: a script's start-up pays
 * for every class it loads, docs/performance.md.)
 */
abstract class GetoptCommand implements ShellCommand {
    /** The operands, in order, once the options are parsed. */
    List<String> operands = new ArrayList<>();

    /** Set before parsing, so option setters can warn (hex with a suffix). */
    Context ctx;

    abstract CommandInfo info();

    /** The getopt option string qemu-io uses, e.g. {@code "bCl:pP:qs:v"}. */
    abstract String optstring();

    /** Takes one option of {@link #optstring} ({@code arg} null for a flag), as qemu-io's switch does. */
    abstract void option(char c, String arg);

    abstract int execute(Context ctx) throws InterruptedException;

    @Override
    public final int run(Context ctx, List<String> argv) throws InterruptedException {
        this.ctx = ctx;
        Console console = ctx.console();
        List<String> args = argv.subList(1, argv.size());
        try {
            Getopt.Result parsed = Getopt.parse(argv.get(0), optstring(), args, this::option);
            if (parsed.error() != null) {
                console.error(parsed.error());
                console.println(info().usage());
                return FAILED;
            }
            operands = parsed.operands();
        } catch (ArgumentError e) {
            console.println(e.getMessage());
            return FAILED;
        } catch (EarlyReturn e) {
            console.println(e.getMessage());
            return OK;
        } catch (ReportedError e) {
            console.report(e.getMessage());
            return FAILED;
        }
        return execute(ctx);
    }

    // ---- helpers shared by the commands ------------------------------------------------------

    /** cvtnum, throwing qemu-io's parse error text. */
    long number(String s) {
        try {
            return Numbers.cvtnum(s, ctx.console()::warn);
        } catch (Numbers.NumberFormatError e) {
            throw new ArgumentError(e.getMessage());
        }
    }

    static int patternByte(String s) {
        Integer p = Numbers.patternByte(s);
        if (p == null) {
            throw new ArgumentError(s + " is not a valid pattern byte");
        }
        return p;
    }

    /** Runs a check that may throw {@link ArgumentError} outside option parsing, printing its text. */
    static boolean fails(Console console, Runnable check) {
        try {
            check.run();
            return false;
        } catch (ArgumentError e) {
            console.println(e.getMessage());
            return true;
        }
    }

    /** qemu-io's {@code print_report} for a finished synchronous request, unless {@code -q}. */
    static void printStats(Console out, Options.Report report, String op, long offset, long count, long nanos) {
        if (!report.quiet) {
            out.print(new Stats(op, offset, count, count, 1, nanos).render(report.machine));
        }
    }

    int usage() {
        ctx.console().println(info().usage());
        return FAILED;
    }

    /** The {@code off len [len..]} operands of the vectored commands: an offset and its buffers. */
    record Vector(long offset, java.nio.ByteBuffer[] buffers) {
        long size() {
            return Buffers.size(buffers);
        }
    }

    /**
     * The {@code off len [len..]} operands of readv, writev and aio_read, as qemu-io checks them,
     * with buffers filled with {@code fill}; null when they fail, with qemu-io's text printed.
     */
    Vector offsetAndBuffers(Console out, int fill) {
        Vector[] v = new Vector[1];
        return fails(out, () -> v[0] = new Vector(number(operands.get(0)),
                Buffers.vector(this, operands.subList(1, operands.size()), fill))) ? null : v[0];
    }

    /**
     * The {@code off len} operands of read, write and discard, as qemu-io checks them (cvtnum,
     * then the request size limit); null when they fail, with qemu-io's text printed.
     */
    long[] offsetAndLength(Console out) {
        long[] v = new long[2];
        return fails(out, () -> {
            v[0] = number(operands.get(0));
            v[1] = number(operands.get(1));
            if (v[1] > Buffers.MAX_REQUEST_BYTES) {
                throw new ArgumentError("length cannot exceed " + Buffers.MAX_REQUEST_BYTES + ", given " + operands.get(1));
            }
        }) ? null : v;
    }
}
