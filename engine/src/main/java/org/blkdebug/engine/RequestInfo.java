package org.blkdebug.engine;

/**
 * A snapshot of one in-flight request.
 *
 * @param id        unique per device, increasing in submission order
 * @param tag       the breakpoint tag it is parked at (the newest, when several), or null
 * @param origin    who submitted it (e.g. {@code "shell"}, an NBD connection), or null
 * @param submitter {@link Thread#threadId()} of the thread that submitted it, 0 if unknown
 *                  (explore orders one thread's requests as that thread issued them)
 */
public record RequestInfo(long id, Operation op, long offset, long length, Phase phase,
                          String tag, String origin, long submitter) {
    public RequestInfo(long id, Operation op, long offset, long length, Phase phase, String tag, String origin) {
        this(id, op, offset, length, phase, tag, origin, 0);
    }
}
