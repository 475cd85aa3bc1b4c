package org.blkdebug.cli.commands;

import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Stats;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/**
 * A command whose options picocli binds, reporting errors in getopt's words and order:
 * {@code read: invalid option -- 'x'} on stderr then the usage line on stdout; a bad option
 * value ({@link ArgumentError}) on stdout. Subclasses declare picocli options and implement
 * {@link #execute}.
 */
abstract class GetoptCommand implements ShellCommand {
    @Parameters(arity = "0..*")
    List<String> operands = new ArrayList<>();

    /** Set before parsing, so option setters can warn (hex with a suffix). */
    Context ctx;

    abstract CommandInfo info();

    /** The getopt option string qemu-io uses, e.g. {@code "bCl:pP:qs:v"}. */
    abstract String optstring();

    abstract int execute(Context ctx) throws InterruptedException;

    @Override
    public final int run(Context ctx, List<String> argv) throws InterruptedException {
        this.ctx = ctx;
        Console console = ctx.console();
        List<String> args = argv.subList(1, argv.size());
        Getopt.Failure failure = Getopt.scan(argv.get(0), optstring(), args);
        try {
            if (failure != null) {
                parser().parseArgs(failure.before().toArray(String[]::new));
                console.error(failure.message());
                console.println(info().usage());
                return FAILED;
            }
            parser().parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            return reportParseError(console, e);
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

    private int reportParseError(Console console, CommandLine.ParameterException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ArgumentError a) {
                console.println(a.getMessage());
                return FAILED;
            }
            if (t instanceof ReportedError r) {
                console.report(r.getMessage());
                return FAILED;
            }
            if (t instanceof EarlyReturn r) {
                console.println(r.getMessage());
                return OK;
            }
        }
        console.println(info().usage());
        return FAILED;
    }

    private CommandLine parser() {
        CommandLine cl = new CommandLine(this);
        cl.setExpandAtFiles(false);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setAllowOptionsAsOptionParameters(true);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setUnmatchedOptionsArePositionalParams(true);
        cl.setTrimQuotes(false);
        return cl;
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

    /** Runs a check that may throw {@link ArgumentError} outside picocli, printing its text. */
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
