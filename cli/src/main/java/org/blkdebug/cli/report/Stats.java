package org.blkdebug.cli.report;

/**
 * qemu-io's {@code print_report}: the two result lines of a finished request, or with {@code -C}
 * the one machine-readable line ({@code bytes,ops,time,bytes/s,ops/s}).
 *
 * @param op the verb qemu-io prints: {@code read}, {@code wrote} or {@code discard}
 */
public record Stats(String op, long offset, long count, long total, int ops, long elapsedNanos) {

    public String render(boolean machine) {
        String time = Times.timestr(elapsedNanos, machine);
        if (machine) {
            return total + "," + ops + "," + time + ","
                    + CFormat.fixed(Times.perSecond(total, elapsedNanos), 3) + ","
                    + CFormat.fixed(Times.perSecond(ops, elapsedNanos), 3) + "\n";
        }
        return op + " " + total + "/" + count + " bytes at offset " + offset + "\n"
                + Sizes.cvtstr(total) + ", " + ops + " ops; " + time + " ("
                + Sizes.cvtstr(Times.perSecond(total, elapsedNanos)) + "/sec and "
                + CFormat.fixed(Times.perSecond(ops, elapsedNanos), 4) + " ops/sec)\n";
    }
}
