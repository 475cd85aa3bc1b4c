package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.HexDump;
import org.blkdebug.cli.report.Stats;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Errno;

/**
 * What qemu-io's aio callbacks ({@code aio_read_done}, {@code aio_write_done}) print when a request
 * finishes. Attached to each aio request; the shell prints it when it drains completions.
 *
 * @param startNanos qemu-io's {@code t1}; 0 for {@code aio_write -z}, whose t1 QEMU never sets
 *                   (so its elapsed time is the monotonic clock itself, as in QEMU)
 * @param buffers    the read buffers (null for writes)
 * @param pattern    the byte to verify a read against, or null
 */
public record AioReport(boolean read, long offset, long size, ByteBuffer[] buffers, Integer pattern,
                        boolean quiet, boolean dump, boolean machine, long startNanos) {

    public void print(Completion c, Console out) {
        long elapsed = c.endNanos() - startNanos;
        if (c.failed()) {
            out.println((read ? "readv failed: " : "aio_write failed: ") + Errno.message(c.errno()));
            return;
        }
        if (read && pattern != null && !Buffers.matches(buffers, 0, size, pattern)) {
            out.println("Pattern verification failed at offset " + offset + ", " + size + " bytes");
        }
        if (quiet) {
            return;
        }
        if (read && dump) {
            out.print(HexDump.render(Buffers.joined(buffers), offset));
        }
        out.print(new Stats(read ? "read" : "wrote", offset, size, size, 1, elapsed).render(machine));
    }
}
