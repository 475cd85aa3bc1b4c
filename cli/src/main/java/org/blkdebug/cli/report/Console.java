package org.blkdebug.cli.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * The shell's stdout and stderr. Every text is written in one call and flushed at once, so
 * lines from request threads (blkdebug's "Suspended request") never tear and stdout/stderr
 * interleave as qemu-io's do under {@code stdbuf -oL}.
 *
 * <p>Thread-safe: each write takes the stream's own monitor only for the write itself.
 */
public final class Console {
    private final OutputStream out;
    private final OutputStream err;
    private final Charset charset;

    public Console(OutputStream out, OutputStream err, Charset charset) {
        this.out = out;
        this.err = err;
        this.charset = charset;
    }

    /** Writes {@code text} to stdout as is (a prompt has no newline). */
    public void print(String text) {
        write(out, text);
    }

    public void println(String line) {
        write(out, line + "\n");
    }

    /** A line on stderr, as fprintf(stderr, ...) does. */
    public void error(String line) {
        write(err, line + "\n");
    }

    /** {@code error_report}: {@code qemu-io: MSG} on stderr. */
    public void report(String message) {
        error("qemu-io: " + message);
    }

    /** {@code warn_report}: {@code qemu-io: warning: MSG} on stderr. */
    public void warn(String message) {
        error("qemu-io: warning: " + message);
    }

    /**
     * Why a failed write is dropped: qemu-io ignores SIGPIPE and never checks printf, so output
     * into a closed pipe ({@code | head -1}) is lost while the session goes on and keeps its exit
     * status; a JVM, which ignores SIGPIPE too, would otherwise end with a stack trace.
     */
    private void write(OutputStream s, String text) {
        byte[] bytes = text.getBytes(charset);
        try {
            s.write(bytes);
            s.flush();
        } catch (IOException e) {
            // gone, as qemu-io's output to a closed pipe is
        }
    }
}
