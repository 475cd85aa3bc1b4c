package org.blkdebug.cli.explore;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.explore.Choice;
import org.blkdebug.engine.explore.CrashEach;
import org.blkdebug.engine.explore.FailEach;
import org.blkdebug.engine.explore.Orders;

/**
 * {@code blkdebug explore}'s own options, picked out of its command line; everything else is the
 * scenario's qemu-io command line ({@link #rest}), passed on untouched.
 */
final class ExploreArgs {
    /** A bad command line; the message is the one line to print. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message, null, false, false);
        }
    }

    FailEach failEach;
    CrashEach crashEach;
    Orders orders;
    String check;
    /** {@code --run CMD}: each run is this client command against an NBD export of the device. */
    String run;
    Choice choice;
    int shard;
    int shards = 1;
    Long seed;
    String out = "explore-out";
    int bench;
    List<String> merge;
    boolean help;
    /** The options as given, for the replay lines and the sweep's identity. */
    final List<String> given = new ArrayList<>();
    final List<String> rest = new ArrayList<>();

    static final String USAGE = """
            Usage: blkdebug explore AXES... [--check 'CMD {}'] [OPTIONS] [qemu-io arguments]
                   blkdebug explore --merge REPORT...
            Runs the scenario (qemu-io's -c commands or a script on stdin, and its image) many
            times in one process, each from a fresh copy-on-write overlay of the starting image,
            with one choice changed per run; prints one line per distinct outcome, a replay line
            for each failing run, and a last line: explore: N runs, P pruned, F failing, seed S, T s.

            Axes (combine them: the sweep is their product, pruned the same way):
              --fail-each          run k fails the k-th request the rule matches, until none is left
                --event E          the event that arms the rule (default none: every request)
                --iotype T         read, write, write-zeroes, discard, flush, block-status
                --errno N          the error (default 5, EIO)
                --persistent       every matching request after the k-th fails too
              --crash-each flush|write
                                   run j loses power when the j-th flush starts (or right after the
                                   j-th write), and at the end; needs --check to judge what survived
                --keep none|all|random
                                   which volatile writes survive (default none: only what is durable)
                --torn             a kept write may survive in part, sector by sector (random)
              --orders EVENT[,EVENT...]
                                   hold every request that reaches EVENT; release them one at a time
                                   in every distinct order (requests that commute are not permuted)
                --max N            depth-first up to N orders, then N sampled ones (default 1000)
                --settle MS        with --run: how long the export must be quiet, requests held,
                                   before the next release (default 20)

            Options:
              --check 'CMD {}'     judge a run by CMD's exit status on the image afterwards ({} = a
                                   file holding it); without it, by the scenario's exit status
              --run 'CMD'          each run exports a fresh device over NBD and runs the client
                                   CMD with $uri, $nbd and $unixsocket, as serve --run does;
                                   its exit status is the run's (no -c commands then)
              --choice C           make the one run C names (fail:3, order:w0+512,f, ...) and show
                                   its output
              --shard I/N          this is shard I (1..N) of a sweep split over N machines
              --seed S             the seed of sampled orders (default: printed at the end)
              --out DIR            where the replay files of failing runs go (default explore-out)
              --bench N            repeat the sweep N times and print the median runs per second
              --merge REPORT...    join the reports of the shards of one sweep
            """;

    static ExploreArgs parse(String[] args) throws Usage {
        ExploreArgs a = new ExploreArgs();
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            a.help = true;
            return a;
        }
        boolean failGiven = false;
        String event = null;
        String iotype = null;
        String errno = null;
        boolean persistent = false;
        String max = null;
        String settle = null;
        String crashAt = null;
        String keep = null;
        boolean torn = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
            String inline = name.equals(arg) ? null : arg.substring(arg.indexOf('=') + 1);
            switch (name) {
                case "--fail-each", "--persistent", "--torn" -> {
                    if (inline != null) {
                        throw new Usage("option '" + name + "' takes no value");
                    }
                    a.given.add(arg);
                    switch (name) {
                        case "--fail-each" -> failGiven = true;
                        case "--persistent" -> persistent = true;
                        default -> torn = true;
                    }
                }
                case "--event", "--iotype", "--errno", "--orders", "--max", "--check", "--choice", "--shard",
                     "--seed", "--out", "--bench", "--crash-each", "--keep", "--run", "--settle" -> {
                    String v = inline;
                    if (v == null) {
                        if (i + 1 == args.length) {
                            throw new Usage("option '" + name + "' requires an argument");
                        }
                        v = args[++i];
                    }
                    if (!name.equals("--out") && !name.equals("--bench")) {
                        a.given.add(name);
                        a.given.add(v);
                    }
                    switch (name) {
                        case "--event" -> event = v;
                        case "--iotype" -> iotype = v;
                        case "--errno" -> errno = v;
                        case "--max" -> max = v;
                        case "--crash-each" -> crashAt = v;
                        case "--keep" -> keep = v;
                        case "--orders" -> a.orders = Orders.at(events(v).toArray(EventName[]::new));
                        case "--check" -> a.check = v;
                        case "--run" -> a.run = v;
                        case "--settle" -> settle = v;
                        case "--choice" -> a.choice = choice(v);
                        case "--shard" -> shard(a, v);
                        case "--seed" -> a.seed = number("--seed", v);
                        case "--out" -> a.out = v;
                        default -> a.bench = (int) Math.min(Integer.MAX_VALUE, positive("--bench", v));
                    }
                }
                case "--merge" -> {
                    a.merge = new ArrayList<>(List.of(args).subList(i + 1, args.length));
                    if (a.merge.isEmpty()) {
                        throw new Usage("option '--merge' requires at least one report");
                    }
                    return a;
                }
                default -> a.rest.add(arg);
            }
        }
        if (!failGiven && (event != null || iotype != null || errno != null || persistent)) {
            throw new Usage("--event, --iotype, --errno and --persistent belong to --fail-each");
        }
        if ((max != null || settle != null) && a.orders == null) {
            throw new Usage("--max and --settle belong to --orders");
        }
        if (failGiven) {
            a.failEach = failEach(event, iotype, errno, persistent);
        }
        if (crashAt == null && (keep != null || torn)) {
            throw new Usage("--keep and --torn belong to --crash-each");
        }
        if (crashAt != null) {
            a.crashEach = crashEach(crashAt, keep, torn);
            if (a.check == null) {
                throw new Usage("--crash-each needs --check 'CMD {}': a crashed run cannot judge itself");
            }
        }
        if (a.orders != null && max != null) {
            a.orders = a.orders.withMax((int) Math.min(Integer.MAX_VALUE, positive("--max", max)));
        }
        if (a.orders != null) {
            // an NBD client is another process: give it time to send what it will before a release
            long ms = settle != null ? positive("--settle", settle) : 20;
            a.orders = a.orders.withSettle(java.time.Duration.ofMillis(ms));
        }
        if (a.failEach == null && a.orders == null && a.crashEach == null) {
            throw new Usage("no axis: give --fail-each, --crash-each flush|write and/or --orders EVENT");
        }
        if (a.choice != null && a.shards > 1) {
            throw new Usage("--choice makes one run: it takes no --shard");
        }
        if (a.choice != null && a.choice.fail() > 0 && a.failEach == null) {
            throw new Usage("choice '" + a.choice + "' fails a request: give --fail-each as in the sweep");
        }
        if (a.choice != null && a.choice.crash() > 0 && a.crashEach == null) {
            throw new Usage("choice '" + a.choice + "' crashes: give --crash-each as in the sweep");
        }
        if (a.choice != null && !a.choice.order().isEmpty() && a.orders == null) {
            throw new Usage("choice '" + a.choice + "' orders requests: give --orders as in the sweep");
        }
        return a;
    }

    private static CrashEach crashEach(String at, String keep, boolean torn) throws Usage {
        CrashEach.Point point;
        try {
            point = CrashEach.Point.byName(at);
        } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
        }
        CrashChoice k = switch (keep == null ? (torn ? "random" : "none") : keep) {
            case "none" -> new CrashChoice.Durable();
            case "all" -> new CrashChoice.All();
            case "random" -> new CrashChoice.Random(0, torn); // each run draws its own from the sweep's seed
            default -> throw new Usage("--keep wants none, all or random, not '" + keep + "'");
        };
        if (torn && !(k instanceof CrashChoice.Random)) {
            throw new Usage("--torn goes with --keep random");
        }
        return new CrashEach(point, k);
    }

    private static List<EventName> events(String list) throws Usage {
        List<EventName> out = new ArrayList<>();
        for (String e : list.split(",", -1)) {
            out.add(event(e));
        }
        return out;
    }

    /** A QEMU event. Custom events are declared by the device's rules, which explore cannot see yet. */
    private static EventName event(String name) throws Usage {
        return Event.byName(name).orElseThrow(() -> new Usage("invalid parameter value: " + name));
    }

    private static FailEach failEach(String event, String iotype, String errno, boolean persistent) throws Usage {
        FailEach f = FailEach.everyRequest().withPersistent(persistent);
        if (event != null) {
            f = f.withEvent(event(event));
        }
        if (iotype != null) {
            f = f.withIoType(IoType.byName(iotype).orElseThrow(() -> new Usage("invalid parameter value: " + iotype)));
        }
        if (errno != null) {
            long n = positive("--errno", errno);
            if (n > 4095) {
                throw new Usage("--errno " + errno + " is not an errno");
            }
            f = f.withErrno((int) n);
        }
        return f;
    }

    private static Choice choice(String v) throws Usage {
        try {
            return Choice.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Usage(e.getMessage());
        }
    }

    private static void shard(ExploreArgs a, String v) throws Usage {
        int slash = v.indexOf('/');
        long i = slash < 0 ? -1 : number("--shard", v.substring(0, slash));
        long n = slash < 0 ? -1 : number("--shard", v.substring(slash + 1));
        if (slash < 0 || n < 1 || i < 1 || i > n || n > 1_000_000) {
            throw new Usage("--shard wants I/N with 1 <= I <= N, not '" + v + "'");
        }
        a.shard = (int) i - 1;
        a.shards = (int) n;
    }

    private static long number(String name, String v) throws Usage {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new Usage(name + " wants a number, not '" + v + "'");
        }
    }

    private static long positive(String name, String v) throws Usage {
        long n = number(name, v);
        if (n < 1) {
            throw new Usage(name + " wants a positive number, not '" + v + "'");
        }
        return n;
    }

    /** What the fail-each rule is, in a few words. */
    static String describe(FailEach f) {
        StringBuilder sb = new StringBuilder("fail-each: event ").append(f.event().eventName());
        if (f.iotypeMask() != IoType.DEFAULT_MASK) {
            for (IoType t : IoType.values()) {
                if ((f.iotypeMask() & t.bit()) != 0) {
                    sb.append(", iotype ").append(t.qemuName());
                }
            }
        }
        sb.append(", errno ").append(f.errno()).append(" (").append(Errno.message(f.errno()))
                .append(f.persistent() ? "), persistent" : "), once");
        return sb.toString();
    }

    static String describe(CrashEach c) {
        return "crash-each: " + c.point() + ", " + c.keep().toString().replace(" --seed 0", "");
    }

    static String describe(Orders o) {
        return "orders: at " + String.join(",", o.events().stream().map(EventName::eventName).toList())
                + ", max " + o.max();
    }
}
