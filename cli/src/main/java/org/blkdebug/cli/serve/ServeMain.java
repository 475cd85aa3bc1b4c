package org.blkdebug.cli.serve;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;

import org.blkdebug.cli.report.Console;

/**
 * {@code blkdebug serve ...} as a program: the process around a {@link ServeSession}. SIGTERM
 * (and SIGINT, except in the interactive shell, where Ctrl-C interrupts a command) end the
 * session cleanly, exit status 0 as qemu-nbd's; {@code --fork} runs the session in a
 * {@link Daemon} and returns once it accepts clients.
 */
public final class ServeMain {
    private ServeMain() {
    }

    /** Runs {@code blkdebug serve ARGS}; returns the exit status. */
    public static int main(String[] args) {
        boolean daemon = Daemon.isDaemon();
        if (!daemon && wantsFork(args)) {
            return Daemon.launch(args);
        }
        MutableStream err = new MutableStream(new FileOutputStream(FileDescriptor.err));
        Console console = new Console(new FileOutputStream(FileDescriptor.out), err, Charset.defaultCharset());
        ServeSession session = new ServeSession(console);
        boolean terminal = org.blkdebug.cli.Main.isTerminal();
        // a background job of the terminal on stdin does not read it (qemu-nbd's way: serve on)
        boolean background = terminal && TerminalJob.inBackground();
        terminal &= !background;
        InputStream stdin = background ? InputStream.nullInputStream() : System.in;
        boolean interactive = terminal && !hasCommands(args);
        org.blkdebug.engine.block.Signals.unignore(org.blkdebug.engine.block.Signals.SIGTERM);
        org.jline.utils.Signals.register("TERM", () -> session.terminate("SIGTERM"));
        if (!interactive) {
            org.blkdebug.engine.block.Signals.unignore(org.blkdebug.engine.block.Signals.SIGINT);
            org.jline.utils.Signals.register("INT", () -> session.terminate("SIGINT"));
        }
        Runnable ready = daemon ? () -> {
            Daemon.signalReady(err);
            err.mute(); // qemu-nbd's daemon: stderr is /dev/null once the parent has returned
        } : () -> { };
        return session.run(args, stdin, terminal, ready);
    }

    /** Whether the command line asks for --fork (a parse error is reported by the session itself). */
    private static boolean wantsFork(String[] args) {
        try {
            ServeArgs a = ServeArgs.parse(args);
            return a.fork() && !a.help() && !a.version();
        } catch (ServeArgs.BadArguments e) {
            return false;
        }
    }

    private static boolean hasCommands(String[] args) {
        try {
            return !ServeArgs.parse(args).commands().isEmpty();
        } catch (ServeArgs.BadArguments e) {
            return false;
        }
    }

    /** stderr that can be silenced: the daemon's, once its parent has gone. */
    static final class MutableStream extends OutputStream {
        private final OutputStream out;
        private volatile boolean muted;

        MutableStream(OutputStream out) {
            this.out = out;
        }

        void mute() {
            muted = true;
        }

        @Override
        public void write(int b) throws IOException {
            if (!muted) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!muted) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!muted) {
                out.flush();
            }
        }
    }
}
