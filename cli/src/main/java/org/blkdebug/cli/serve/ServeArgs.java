package org.blkdebug.cli.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code blkdebug serve}: qemu-nbd 7.2's options, with qemu-nbd's defaults
 * (TCP 0.0.0.0:10809 unless {@code -k}, cache writeback, discard ignore, one client at a time,
 * exit when the last client leaves unless {@code -t}), plus ours: {@code -c CMD} (a shell command,
 * as qemu-io's; qemu-nbd's {@code -c DEV} attaches the kernel client, which we do not),
 * {@code --run CMD} (nbdkit's captive mode), {@code --record FILE} and {@code --tcp [HOST:]PORT}.
 * Parsed as glibc's {@code getopt_long} would (clustered short options, {@code -xNAME},
 * {@code --opt=VALUE}, {@code --}, options after the file), with qemu-nbd's error texts.
 */
public record ServeArgs(String socket, String bind, String port, String exportName, String description,
                        boolean readOnly, boolean persistent, int shared, String cache, boolean unmap,
                        String detectZeroes, boolean imageOpts, String format, boolean fork, String pidFile,
                        String run, List<String> commands, String record, boolean verbose, String file,
                        boolean help, boolean version) {

    /** qemu-nbd's default port (NBD_DEFAULT_PORT). */
    public static final int DEFAULT_PORT = 10809;

    /** A command line qemu-nbd (or we) refuse; {@link #getMessage} is the text, without a prefix. */
    public static final class BadArguments extends Exception {
        /** Print "Try `blkdebug serve --help'" after the message, as getopt errors do. */
        final boolean tryHelp;

        BadArguments(String message, boolean tryHelp) {
            super(message);
            this.tryHelp = tryHelp;
        }
    }

    /** Options without an argument, by their letter or long name. */
    private static final String FLAGS = "hVrsndvtAL";
    /** Options with an argument. */
    private static final String WITH_ARG = "bopckeflxTDB";

    private static final List<String[]> LONG = List.of(
            // {long name, short letter or a name of ours, "1" when it takes an argument}
            new String[] {"help", "h", ""}, new String[] {"version", "V", ""},
            new String[] {"bind", "b", "1"}, new String[] {"port", "p", "1"}, new String[] {"socket", "k", "1"},
            new String[] {"offset", "o", "1"}, new String[] {"read-only", "r", ""},
            new String[] {"allocation-depth", "A", ""}, new String[] {"bitmap", "B", "1"},
            new String[] {"connect", "connect", "1"}, new String[] {"disconnect", "d", ""},
            new String[] {"list", "L", ""}, new String[] {"snapshot", "s", ""},
            new String[] {"load-snapshot", "l", "1"}, new String[] {"nocache", "n", ""},
            new String[] {"cache", "cache", "1"}, new String[] {"aio", "aio", "1"},
            new String[] {"discard", "discard", "1"}, new String[] {"detect-zeroes", "detect-zeroes", "1"},
            new String[] {"shared", "e", "1"}, new String[] {"format", "f", "1"},
            new String[] {"persistent", "t", ""}, new String[] {"verbose", "v", ""},
            new String[] {"object", "object", "1"}, new String[] {"export-name", "x", "1"},
            new String[] {"description", "D", "1"}, new String[] {"tls-creds", "tls-creds", "1"},
            new String[] {"tls-hostname", "tls-hostname", "1"}, new String[] {"tls-authz", "tls-authz", "1"},
            new String[] {"image-opts", "image-opts", ""}, new String[] {"trace", "T", "1"},
            new String[] {"fork", "fork", ""}, new String[] {"pid-file", "pid-file", "1"},
            new String[] {"selinux-label", "selinux-label", "1"},
            // ours
            new String[] {"cmd", "c", "1"}, new String[] {"run", "run", "1"}, new String[] {"record", "record", "1"},
            new String[] {"tcp", "tcp", "1"});

    /** Parses {@code args} (what follows {@code serve}). */
    public static ServeArgs parse(String[] args) throws BadArguments {
        Builder b = new Builder();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                files.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (a.startsWith("--")) {
                String name = a.contains("=") ? a.substring(2, a.indexOf('=')) : a.substring(2);
                String[] spec = longOption(name, a);
                String value = null;
                if (!spec[2].isEmpty()) {
                    if (a.contains("=")) {
                        value = a.substring(a.indexOf('=') + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new BadArguments("option '--" + spec[0] + "' requires an argument", true);
                    }
                } else if (a.contains("=")) {
                    throw new BadArguments("option '--" + spec[0] + "' doesn't allow an argument", true);
                }
                b.option(spec[1], value);
                continue;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                files.add(a);
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                if (WITH_ARG.indexOf(c) >= 0) {
                    String value;
                    if (k + 1 < a.length()) {
                        value = a.substring(k + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new BadArguments("option requires an argument -- '" + c + "'", true);
                    }
                    b.option(String.valueOf(c), value);
                    break;
                }
                if (FLAGS.indexOf(c) < 0) {
                    throw new BadArguments("invalid option -- '" + c + "'", true);
                }
                b.option(String.valueOf(c), null);
            }
        }
        if (b.help || b.version) {
            return b.build(null);
        }
        if (files.size() != 1) {
            throw new BadArguments("Invalid number of arguments", true);
        }
        return b.build(files.getFirst());
    }

    /** getopt_long's lookup: an exact name, else an unambiguous prefix. */
    private static String[] longOption(String name, String arg) throws BadArguments {
        String[] found = null;
        for (String[] spec : LONG) {
            if (spec[0].equals(name)) {
                return spec;
            }
            if (spec[0].startsWith(name) && !name.isEmpty()) {
                if (found != null) {
                    throw new BadArguments("option '" + arg + "' is ambiguous", true);
                }
                found = spec;
            }
        }
        if (found == null) {
            throw new BadArguments("unrecognized option '" + arg + "'", true);
        }
        return found;
    }

    /** The options as they come; checks them as qemu-nbd's main() does, in its words. */
    private static final class Builder {
        String socket;
        String bind;
        String port;
        String exportName = "";
        String description;
        boolean readOnly;
        boolean persistent;
        int shared = 1;
        String cache;
        boolean unmap;
        boolean seenDiscard;
        boolean seenAio;
        String detectZeroes = "off";
        boolean imageOpts;
        String format;
        boolean fork;
        String pidFile;
        String run;
        final List<String> commands = new ArrayList<>();
        String record;
        boolean verbose;
        boolean help;
        boolean version;

        void option(String o, String v) throws BadArguments {
            switch (o) {
                case "h" -> help = true;
                case "V" -> version = true;
                case "b" -> bind = v;
                case "p" -> port = v;
                case "k" -> socket = v;
                case "tcp" -> {
                    int colon = v.lastIndexOf(':');
                    bind = colon < 0 ? "127.0.0.1" : v.substring(0, colon);
                    port = colon < 0 ? v : v.substring(colon + 1);
                }
                case "r" -> readOnly = true;
                case "t" -> persistent = true;
                case "e" -> {
                    Integer n = parseInt(v);
                    if (n == null || n < 0) {
                        throw new BadArguments("Invalid shared device number '" + v + "'", false);
                    }
                    shared = n;
                }
                case "x" -> {
                    if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4096) {
                        throw new BadArguments("export name '" + v + "' too long", false);
                    }
                    exportName = v;
                }
                case "D" -> {
                    if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4096) {
                        throw new BadArguments("export description '" + v + "' too long", false);
                    }
                    description = v;
                }
                case "n", "cache" -> {
                    if (cache != null) {
                        throw new BadArguments("-n and --cache can only be specified once", false);
                    }
                    String mode = o.equals("n") ? "none" : v;
                    if (!org.blkdebug.cli.commands.Commands.CACHE_MODES.contains(mode)) {
                        throw new BadArguments("Invalid cache mode `" + v + "'", false);
                    }
                    cache = mode;
                }
                case "aio" -> {
                    if (seenAio) {
                        throw new BadArguments("--aio can only be specified once", false);
                    }
                    seenAio = true;
                    if (!List.of("native", "threads", "io_uring").contains(v)) {
                        throw new BadArguments("Invalid aio mode '" + v + "'", false);
                    }
                }
                case "discard" -> {
                    if (seenDiscard) {
                        throw new BadArguments("--discard can only be specified once", false);
                    }
                    seenDiscard = true;
                    switch (v) {
                        case "off", "ignore" -> unmap = false;
                        case "on", "unmap" -> unmap = true;
                        default -> throw new BadArguments("Invalid discard mode `" + v + "'", false);
                    }
                }
                case "detect-zeroes" -> {
                    if (!List.of("off", "on", "unmap").contains(v)) {
                        throw new BadArguments("Failed to parse detect_zeroes mode: invalid parameter value: " + v,
                                false);
                    }
                    if (v.equals("unmap") && !unmap) {
                        throw new BadArguments("setting detect-zeroes to unmap is not allowed without setting "
                                + "discard operation to unmap", false);
                    }
                    detectZeroes = v;
                }
                case "image-opts" -> imageOpts = true;
                case "f" -> format = v;
                case "fork" -> fork = true;
                case "pid-file" -> pidFile = v;
                case "c" -> commands.add(v);
                case "run" -> run = v;
                case "record" -> record = v;
                case "v" -> verbose = true;
                case "T", "object" -> { } // trace, objects (secrets): nothing to do here
                case "connect", "d" -> throw new BadArguments("the kernel NBD client (-c/--connect DEV, -d) is not "
                        + "supported; connect one with nbd-client, or use -c for a shell command", false);
                case "L" -> throw new BadArguments("-L/--list is not supported (use nbdinfo --list)", false);
                case "s", "l" -> throw new BadArguments("snapshots (-s, -l) are not supported", false);
                case "o" -> throw new BadArguments("-o/--offset is not supported", false);
                case "A", "B" -> throw new BadArguments("-A and -B (qemu:allocation-depth, dirty bitmaps) are not "
                        + "supported; base:allocation is always offered", false);
                case "tls-creds", "tls-hostname", "tls-authz" -> throw new BadArguments("TLS is not supported", false);
                case "selinux-label" -> throw new BadArguments("SELinux support not enabled in this binary", false);
                default -> throw new IllegalStateException(o);
            }
        }

        ServeArgs build(String file) throws BadArguments {
            if (imageOpts && format != null) {
                throw new BadArguments("--image-opts and -f are mutually exclusive", false);
            }
            if (port != null && socket == null) {
                Integer p = parseInt(port);
                if (p == null || p < 0 || p > 65535) {
                    throw new BadArguments("invalid port: " + port, false);
                }
            }
            if (fork && run != null) {
                throw new BadArguments("--fork and --run cannot be used together (--run keeps the server in the "
                        + "foreground)", false);
            }
            return new ServeArgs(socket, bind == null ? "0.0.0.0" : bind, port == null ? "" + DEFAULT_PORT : port,
                    exportName, description, readOnly, persistent, shared, cache == null ? "writeback" : cache, unmap,
                    detectZeroes, imageOpts, format, fork, pidFile, run, List.copyOf(commands), record, verbose, file,
                    help, version);
        }

        /** qemu_strtoi with base 0: decimal, 0x hex or 0 octal. */
        private static Integer parseInt(String s) {
            try {
                return Integer.decode(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    static final String USAGE = """
            Usage: blkdebug serve [OPTIONS] FILE
            Exports FILE (blkdebug:CONFIG:IMAGE, blkdebug::IMAGE, json:{...}, an image) over NBD,
            as qemu-nbd does, while the shell's commands step its requests

              -h, --help                display this help and exit
              -V, --version             output version information and exit

            Connection properties (qemu-nbd's):
              -p, --port=PORT           port to listen on (default `10809')
              -b, --bind=IFACE          interface to bind to (default `0.0.0.0')
              -k, --socket=PATH         path to the unix socket
              -e, --shared=NUM          device can be shared by NUM clients (default '1', 0: any)
              -t, --persistent          don't exit on the last connection
              -x, --export-name=NAME    expose export by name (default is empty string)
              -D, --description=TEXT    export a human-readable description
                  --fork                fork off the server process and exit the parent
                                        once the server is running
                  --pid-file=PATH       store the server's process ID in the given file

            Block device options (qemu-nbd's):
              -f, --format=FORMAT       set image format (raw)
              -r, --read-only           export read-only
              -n, --nocache             disable host cache
                  --cache=MODE          cache mode: none, writeback (default), writethrough,
                                        directsync, unsafe
                  --aio=MODE            accepted (native, io_uring, threads), without effect
                  --discard=MODE        ignore (default) or unmap
                  --detect-zeroes=MODE  off (default), on, unmap
                  --image-opts          treat FILE as a full set of image options
              -v, --verbose             log each client's connection and disconnection on stderr
              -T, --object              accepted, without effect

            Ours:
              -c, --cmd=STRING          a shell command (qemu-io's and ours: break, wait_break,
                                        resume, requests, ...), run in order; without -c the
                                        commands come from stdin unless it is a terminal
                  --run=CMD             nbdkit's captive mode: run CMD with /bin/sh, with $uri,
                                        $nbd, $unixsocket, $port and $exportname set; exit with its
                                        status. It starts before the first wait_break or sleep
                                        of the shell's commands, or once they end
                  --record=FILE         write the shell's commands to FILE
                  --tcp=[HOST:]PORT     TCP on HOST (default 127.0.0.1), an alias of -b/-p

            The server keeps serving after the shell's commands end (a script, stdin at
            EOF) until SIGINT or SIGTERM, until --run's command exits, or, without -t, until
            the last client has disconnected. `quit', or Ctrl-D in the interactive shell,
            ends it at once. At the end, suspended requests are resumed, requests finish,
            and the socket is removed.
            """;
}
