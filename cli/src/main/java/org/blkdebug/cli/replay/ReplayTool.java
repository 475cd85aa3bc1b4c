package org.blkdebug.cli.replay;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.engine.crash.CommandCheck;
import org.blkdebug.engine.crash.Replay;
import org.blkdebug.engine.crash.WriteLog;

/**
 * {@code blkdebug replay LOG [--to MARK|ENTRY] [--check-at flush|fua CMD] [--list] [IMAGE]}: what
 * dm-log-writes' {@code replay-log} does, for the logs of {@code --log-writes}.
 *
 * <ul>
 *   <li>{@code --list}: one line per entry ({@code 7 flush}, {@code 3 write fua 4096 512}).</li>
 *   <li>{@code --to T}: applies entries 1..T to IMAGE (a mark's name, its last use, or an entry
 *       number); without it, the whole log.</li>
 *   <li>{@code --check-at flush|fua CMD}: replays the whole log into IMAGE and runs CMD after each
 *       flush (each FUA write); prints each rejected point with the replay line that rebuilds
 *       it, and exits 1 if any was rejected.</li>
 * </ul>
 * IMAGE must hold what the device held when the log started.
 */
public final class ReplayTool {
    static final String USAGE = "usage: blkdebug replay LOG [--to MARK|ENTRY] [--check-at flush|fua CMD] [--list] [IMAGE]";

    private ReplayTool() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String logName = null;
        String to = null;
        String checkAt = null;
        String cmd = null;
        boolean list = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--to" -> {
                    if (++i >= args.length) {
                        return usage(err, "--to needs a mark or an entry number");
                    }
                    to = args[i];
                }
                case "--check-at" -> {
                    if (i + 2 >= args.length) {
                        return usage(err, "--check-at needs flush or fua and a command");
                    }
                    checkAt = args[++i];
                    cmd = args[++i];
                }
                case "--list" -> list = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        return usage(err, "unknown option " + args[i]);
                    }
                    rest.add(args[i]);
                }
            }
        }
        if (rest.isEmpty()) {
            return usage(err, "no log given");
        }
        logName = rest.removeFirst();
        if (checkAt != null && !checkAt.equals("flush") && !checkAt.equals("fua")) {
            return usage(err, "--check-at takes flush or fua, not '" + checkAt + "'");
        }
        if (checkAt != null && to != null) {
            return usage(err, "--to and --check-at do not go together");
        }
        if (!list && rest.size() != 1) {
            return usage(err, "give one IMAGE to replay into");
        }
        try (WriteLog log = WriteLog.open(Path.of(logName))) {
            if (list) {
                for (WriteLog.Record r : log.records()) {
                    out.println(r);
                }
                if (rest.isEmpty()) {
                    return 0;
                }
            }
            Path image = Path.of(rest.getFirst());
            if (!Files.isRegularFile(image)) {
                err.println("blkdebug replay: " + image + ": no such image file");
                return 1;
            }
            if (checkAt != null) {
                return check(log, logName, image, checkAt, cmd, out);
            }
            if (log.records().isEmpty()) {
                out.println("replay: the log is empty; nothing applied");
                return 0;
            }
            WriteLog.Record target = to == null ? log.records().getLast() : log.find(to);
            long n = Replay.to(log, target, image);
            out.println("replay: applied " + n + " of " + log.records().size() + " entries (to " + target + ")");
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("blkdebug replay: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int check(WriteLog log, String logName, Path image, String at, String cmd, PrintStream out)
            throws IOException, InterruptedException {
        Replay.Point point = at.equals("flush") ? Replay.Point.FLUSH : Replay.Point.FUA;
        int[] checked = new int[1];
        Replay.PointCheck command = CommandCheck.forReplay(cmd, CommandCheck.DEFAULT_TIMEOUT);
        List<Replay.Failure> failures = Replay.checkAt(log, image, point, (r, img) -> {
            checked[0]++;
            command.check(r, img);
        }, false);
        for (Replay.Failure f : failures) {
            out.println("replay: entry " + f.at().number() + " (" + f.at() + ") rejected: blkdebug replay "
                    + logName + " --to " + f.at().number() + " IMAGE");
            for (String line : f.reason().split("\n")) {
                out.println("  " + line);
            }
        }
        out.println("replay: " + checked[0] + " " + at + " point" + (checked[0] == 1 ? "" : "s") + " checked, "
                + failures.size() + " rejected");
        return failures.isEmpty() ? 0 : 1;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("blkdebug replay: " + problem);
        err.println(USAGE);
        return 1;
    }
}
