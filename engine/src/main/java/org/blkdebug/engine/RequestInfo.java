package org.blkdebug.engine;

/**
 * A snapshot of one in-flight request.
 *
 * @param id     unique per device, increasing in submission order
 * @param tag    the breakpoint tag it is parked at (the newest, when several), or null
 * @param origin who submitted it (e.g. {@code "shell"}, an NBD connection), or null
 */
public record RequestInfo(long id, Operation op, long offset, long length, Phase phase,
                          String tag, String origin) {
}
