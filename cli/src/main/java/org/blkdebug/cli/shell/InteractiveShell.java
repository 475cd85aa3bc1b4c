package org.blkdebug.cli.shell;

import java.nio.file.Path;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;

/**
 * The interactive JLine shell: prompt {@code qemu-io> }, history in {@code ~/.blkdebug_history},
 * tab completion. Ctrl-C clears the line at the prompt and interrupts a blocking command
 * ({@code wait_break}, a read parked at a breakpoint) without leaving; Ctrl-D leaves.
 */
public final class InteractiveShell {
    private final Shell shell;
    private final Terminal terminal;
    private final Path historyFile;

    public InteractiveShell(Shell shell, Terminal terminal, Path historyFile) {
        this.shell = shell;
        this.terminal = terminal;
        this.historyFile = historyFile;
    }

    public void run() {
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]); // qemu-io has no quoting or escapes
        parser.setQuoteChars(new char[0]);
        LineReaderBuilder builder = LineReaderBuilder.builder()
                .terminal(terminal)
                .parser(parser)
                .completer(new ShellCompleter(shell));
        if (historyFile != null) {
            builder.variable(LineReader.HISTORY_FILE, historyFile);
        }
        LineReader reader = builder.build();
        shell.setInteractive(true);
        Thread commandThread = Thread.currentThread();
        Thread.interrupted(); // a stale interrupt must not end the shell before it starts
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> commandThread.interrupt());
        try {
            while (true) {
                String line;
                try {
                    shell.betweenCommands();
                    line = reader.readLine(ScriptRunner.PROMPT);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt: a fresh line
                } catch (EndOfFileException e) {
                    return; // Ctrl-D
                } catch (InterruptedException e) {
                    continue;
                }
                try {
                    if (!shell.execute(line)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    shell.console().println("interrupted; the request stays in flight (see 'requests')");
                    shell.markFailed();
                }
                Thread.interrupted(); // a Ctrl-C that came after the command finished
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            try {
                reader.getHistory().save();
            } catch (Exception e) {
                // history is a convenience
            }
        }
    }
}
