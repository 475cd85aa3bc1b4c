package org.blkdebug.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line, qemu-io's options ({@code -f -t -r -c --image-opts -n …}) plus ours
 * ({@code --record}). qemu-io options that change nothing here ({@code -m -k -U -i -T --object})
 * are accepted, and refused where qemu-io refuses them, so qemu-io command lines run unchanged.
 */
@Command(name = "blkdebug")
final class Invocation {
    @Option(names = {"-f", "--format"})
    String format;
    @Option(names = {"-t", "--cache"})
    String cache;
    @Option(names = {"-n", "--nocache"})
    boolean nocache;
    @Option(names = {"-r", "--read-only"})
    boolean readOnly;
    @Option(names = "--image-opts")
    boolean imageOpts;
    @Option(names = {"-c", "--cmd"})
    List<String> commands = new ArrayList<>();
    /** A string, not a Path: a name the platform cannot encode is reported by Main, not by picocli. */
    @Option(names = "--record")
    String record;
    /** Ours: the write log of the device the session opens first (docs/faults.md). */
    @Option(names = "--log-writes")
    String logWrites;
    @Option(names = {"-h", "--help"})
    boolean help;
    @Option(names = {"-V", "--version"})
    boolean version;

    @Option(names = {"-s", "--snapshot"})
    boolean snapshot;
    @Option(names = {"-C", "--copy-on-read"})
    boolean copyOnRead;
    @Option(names = {"-m", "--misalign"})
    boolean misalign;
    @Option(names = {"-k", "--native-aio"})
    boolean nativeAio;
    @Option(names = {"-U", "--force-share"})
    boolean forceShare;
    @Option(names = {"-i", "--aio"})
    String aio;
    @Option(names = {"-d", "--discard"})
    String discard;
    @Option(names = {"-T", "--trace"})
    String trace;
    @Option(names = "--object")
    List<String> objects = new ArrayList<>();

    @Parameters(arity = "0..*")
    List<String> files = new ArrayList<>();

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
