package org.blkdebug.cli.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;

/**
 * The two non-interactive ways qemu-io reads commands: the {@code -c} list (back to back, no
 * main loop in between) and stdin when it is not a terminal (prompt, one main-loop turn, then
 * the next line).
 */
public final class ScriptRunner {
    /** The prompt qemu-io prints before reading each stdin line, without a newline. */
    public static final String PROMPT = "qemu-io> ";

    private ScriptRunner() {
    }

    public static void runCommands(Shell shell, List<String> commands) throws InterruptedException {
        for (String c : commands) {
            if (!shell.execute(c)) {
                return;
            }
        }
    }

    /**
     * qemu-io's {@code command_loop} on stdin: prompt, main-loop turn, read a line (its
     * {@code \n} stripped), run it; at EOF the last prompt stays without a newline.
     */
    public static void runStdin(Shell shell, BufferedReader in) throws IOException, InterruptedException {
        runStdin(shell, in, true);
    }

    /** As {@link #runStdin(Shell, BufferedReader)}, without the prompts when {@code prompt} is false. */
    public static void runStdin(Shell shell, BufferedReader in, boolean prompt) throws IOException, InterruptedException {
        while (true) {
            if (prompt) {
                shell.console().print(PROMPT);
            }
            shell.betweenCommands();
            if (!in.ready()) {
                shell.waiting(); // the lines given up front have run
            }
            String line = readLine(in);
            if (line == null || !shell.execute(line)) {
                return;
            }
        }
    }

    /** Like fgets: the line without its {@code \n}, keeping a {@code \r} as qemu-io does. */
    static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
