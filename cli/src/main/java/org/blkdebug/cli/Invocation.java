package org.blkdebug.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line, qemu-io's options ({@code -f -t -r -c --image-opts -n …}) plus ours
 * ({@code --record}, {@code --log-writes}). qemu-io options that change nothing here ({@code -m
 * -k -U -i -T}) are accepted, and refused where qemu-io refuses them, so qemu-io command lines run
 * unchanged; each {@code --object} is created and checked as qemu-io does (UserObjects).
 */
final class Invocation {
    String format;
    String cache;
    boolean nocache;
    boolean readOnly;
    boolean imageOpts;
    List<String> commands = new ArrayList<>();
    /** A string, not a Path: a name the platform cannot encode is reported by Main. */
    String record;
    /** Ours: the write log of the device the session opens first (docs/faults.md). */
    String logWrites;
    boolean help;
    boolean version;
    boolean snapshot;
    boolean copyOnRead;
    String discard;
    /** -k or -i native: refused at open without cache.direct=on, as QEMU's file driver refuses it. */
    boolean nativeAio;
    /** -U: refused at open without -r, as QEMU refuses it. */
    boolean forceShare;
    /**
     * The first bad -t, -i or -d value, as qemu-io's option loop meets it (it prints it without
     * the usage and exits); null when there is none.
     */
    String badValue;
    /** What {@code --object help} or {@code --object TYPE,help} prints before qemu-io exits 0. */
    String objectHelp;
    /** The --object objects so far, created in order as qemu-io's option loop creates them. */
    private org.blkdebug.engine.config.UserObjects objects;
    List<String> files = new ArrayList<>();

    private static final int IMAGE_OPTS = 256;
    private static final int RECORD = 257;
    private static final int LOG_WRITES = 258;
    private static final int OBJECT = 259;

    /** qemu-io's long options (and ours), with the short option each stands for. */
    static final List<GetoptLong.LongOption> LONG_OPTIONS = List.of(
            new GetoptLong.LongOption("help", false, 'h'), new GetoptLong.LongOption("version", false, 'V'),
            new GetoptLong.LongOption("cmd", true, 'c'), new GetoptLong.LongOption("format", true, 'f'),
            new GetoptLong.LongOption("read-only", false, 'r'), new GetoptLong.LongOption("snapshot", false, 's'),
            new GetoptLong.LongOption("nocache", false, 'n'), new GetoptLong.LongOption("copy-on-read", false, 'C'),
            new GetoptLong.LongOption("misalign", false, 'm'), new GetoptLong.LongOption("native-aio", false, 'k'),
            new GetoptLong.LongOption("aio", true, 'i'), new GetoptLong.LongOption("discard", true, 'd'),
            new GetoptLong.LongOption("cache", true, 't'), new GetoptLong.LongOption("trace", true, 'T'),
            new GetoptLong.LongOption("object", true, OBJECT), new GetoptLong.LongOption("image-opts", false, IMAGE_OPTS),
            new GetoptLong.LongOption("force-share", false, 'U'), new GetoptLong.LongOption("record", true, RECORD),
            new GetoptLong.LongOption("log-writes", true, LOG_WRITES));

    /** Parses {@code args}; null when they are good, else getopt_long's message. */
    String parse(String[] args) {
        try {
            GetoptLong.Result r = GetoptLong.parse(args, OPTSTRING, LONG_OPTIONS, this::option);
            files = r.operands();
            return r.error();
        } catch (BadValue e) {
            badValue = e.getMessage();
            return null;
        } catch (ObjectHelp e) {
            objectHelp = e.getMessage();
            return null;
        }
    }

    /** Ends the option loop at a bad value, as qemu-io's {@code exit(1)} there. */
    private static final class BadValue extends RuntimeException {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /** Ends the option loop after an --object help text, as qemu-io's {@code exit(0)} there. */
    private static final class ObjectHelp extends RuntimeException {
        ObjectHelp(String text) {
            super(text, null, false, false);
        }
    }

    /** qemu-io creates each --object when its option loop meets it (the object code loads only then). */
    private void object(String def) {
        if (objects == null) {
            objects = new org.blkdebug.engine.config.UserObjects();
        }
        String help;
        try {
            help = objects.add(def);
        } catch (org.blkdebug.engine.OpenException e) {
            throw new BadValue(e.getMessage());
        }
        if (help != null) {
            throw new ObjectHelp(help);
        }
    }

    private void option(int key, String arg) {
        switch (key) {
            case 'f' -> format = arg;
            case 't' -> {
                if (!org.blkdebug.cli.commands.Commands.CACHE_MODES.contains(arg)) {
                    throw new BadValue("Invalid cache option: " + arg);
                }
                cache = arg;
            }
            case 'n' -> nocache = true;
            case 'r' -> readOnly = true;
            case IMAGE_OPTS -> imageOpts = true;
            case 'c' -> commands.add(arg);
            case RECORD -> record = arg;
            case LOG_WRITES -> logWrites = arg;
            case 'h' -> help = true;
            case 'V' -> version = true;
            case 's' -> snapshot = true;
            case 'C' -> copyOnRead = true;
            case 'd' -> {
                if (org.blkdebug.cli.commands.Context.OpenRequest.unmap(arg) == null) {
                    throw new BadValue("Invalid discard option: " + arg);
                }
                discard = arg;
            }
            case 'k' -> nativeAio = true;
            case 'U' -> forceShare = true;
            case 'i' -> {
                Boolean isNative = org.blkdebug.cli.commands.Context.OpenRequest.nativeAio(arg);
                if (isNative == null) {
                    throw new BadValue("Invalid aio option: " + arg);
                }
                nativeAio |= isNative;
            }
            case OBJECT -> object(arg);
            default -> { } // -m -T SPEC: accepted, without effect
        }
    }

    /** The getopt_long option string of qemu-io, for its error texts. */
    static final String OPTSTRING = "hVc:d:f:rsnCmki:t:T:U";

    static final String USAGE = """
            Usage: blkdebug [OPTIONS]... [-c STRING]... [file]
            QEMU blkdebug exerciser: a drop-in for qemu-io on blkdebug images

              --image-opts         treat file as option string
              -c, --cmd STRING     execute command with its arguments
                                   from the given string
              -f, --format FMT     specifies the block driver to use (raw)
              -r, --read-only      export read-only
              -s, --snapshot       use snapshot file: writes go to a temporary overlay, the
                                   image is left as it was
              -n, --nocache        disable host cache, short for -t none
              -t, --cache=MODE     use the given cache mode for the image
                                   (writethrough, writeback, none, directsync, unsafe)
              --record FILE        write the session's commands to FILE as a replayable script
              --log-writes FILE    log every write, flush and mark of the device to FILE
                                   (for blkdebug replay)
              -h, --help           display this help and exit
              -V, --version        output version information and exit
              -C -m -k -U -i MODE -d MODE -T SPEC --object DEF
                                   as qemu-io's: -C copies on read, -d ignore drops discards;
                                   the others are checked as qemu-io checks them (-k and
                                   -i native need -t none or directsync, -U needs -r), then
                                   change nothing

            file is blkdebug:CONFIG:IMAGE, blkdebug::IMAGE, json:{...} or a plain image.
            Without a file, a scratch 64 MiB image under blkdebug (no rules) is used.
            Commands come from -c, else from stdin when it is not a terminal (qemu-io's
            scripted mode), else from an interactive shell.

            See 'blkdebug -c help' for information on available commands.

            blkdebug bench [-c count] [-d depth] [-f fmt] [--flush-interval=N] [-n] [--no-drain]
                           [-o offset] [--pattern=N] [-q] [-s size] [-S step] [-t cache] [-w]
                           [--backend-only] [--repeat N] file
                                   qemu-img bench's benchmark through blkdebug
            blkdebug serve [qemu-nbd's options] [-c CMD]... [--run CMD] file
                                   qemu-nbd's export of file, stepped by the shell's commands
                                   (see 'blkdebug serve --help')
            blkdebug explore AXES... [--check 'CMD {}'] [OPTIONS] [-c CMD]... file
                                   the session run many times: each request failed, every
                                   release order, a power cut at each flush (explore -h)
            blkdebug replay LOG [--to MARK|ENTRY] [--check-at flush|fua CMD] [--list] IMAGE
                                   rebuilds IMAGE from a --log-writes log, or checks every
                                   persistence point with CMD ({} the image, {uri} an NBD export)
            """;

    static final String VERSION = """
            blkdebug version 0.1.0 (qemu-io 7.2 compatible)
            """;
}
