package org.blkdebug.cli.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** A child process's merged output, read on its own thread (conformance and difftest runners). */
public final class ProcessOutput {
    private ProcessOutput() {
    }

    /** Copies {@code in} to {@code out} until it ends; a snapshot locks {@code out} too. */
    public static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the stream closes when the process is killed; what was read so far is kept
        }
    }
}
