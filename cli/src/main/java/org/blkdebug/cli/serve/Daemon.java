package org.blkdebug.cli.serve;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * qemu-nbd's {@code --fork} for a JVM, which cannot fork itself: the parent starts the same
 * command line again as a daemon (its own session via {@code setsid} when there is one, stdin and
 * stdout /dev/null, stderr a pipe to the parent), relays what the daemon writes on stderr, and
 * returns as soon as the daemon says it accepts clients: exit status 0, or 1 when the daemon
 * printed anything first (qemu-nbd's rule), or the daemon's own status when it ended early.
 */
final class Daemon {
    /** Set in the daemon's environment: it runs the session instead of forking again. */
    private static final String ENV = "BLKDEBUG_SERVE_DAEMON";
    /** The line a daemon writes on stderr once it is ready; never shown. */
    private static final String READY = "\u0001blkdebug-serve-ready";
    /** How long the parent waits for the daemon to start (open the image, bind the socket). */
    private static final long START_SECONDS = 120;

    private Daemon() {
    }

    static boolean isDaemon() {
        return System.getenv(ENV) != null;
    }

    /** In the daemon: tells the parent it may return. */
    static void signalReady(OutputStream err) {
        try {
            err.write((READY + "\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            // the parent is gone already
        }
    }

    /** In the parent: starts the daemon and waits until it is ready; returns the exit status. */
    static int launch(String[] serveArgs) {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString()); // the daemon leaves our session: no SIGHUP or Ctrl-C from our terminal
        }
        command.addAll(javaCommandLine());
        command.add("serve");
        command.addAll(List.of(serveArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(ENV, "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            System.err.println("qemu-nbd: Failed to fork: " + e.getMessage());
            return 1;
        }
        boolean printed = false;
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                if (!p.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
                    System.err.println("qemu-nbd: the server did not start in " + START_SECONDS + " s");
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // the daemon is ready
            }
        });
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(READY)) {
                    watchdog.interrupt();
                    return printed ? 1 : 0;
                }
                System.err.println(line);
                printed = true;
            }
            return p.waitFor(); // ended before it was ready: its status says why
        } catch (IOException e) {
            System.err.println("qemu-nbd: Cannot read from daemon: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            return 1;
        }
    }

    /** This JVM's command line up to and including the main class. */
    private static List<String> javaCommandLine() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> out = new ArrayList<>();
        out.add(java);
        String[] args = info.arguments().orElse(null);
        String main = org.blkdebug.cli.Main.class.getName();
        if (args != null) {
            for (String a : args) {
                out.add(a);
                if (a.equals(main)) {
                    return out;
                }
            }
        }
        out.subList(1, out.size()).clear(); // not found: rebuild it from what this JVM knows
        out.add("-cp");
        out.add(System.getProperty("java.class.path"));
        out.add(main);
        return out;
    }
}
