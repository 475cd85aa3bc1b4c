package org.blkdebug.engine;

/**
 * The report of one finished asynchronous request, delivered through {@link Device#pollCompletion()}
 * in completion order.
 *
 * @param id         the request's id (see {@link RequestInfo#id()})
 * @param errno      0 on success, else the positive errno it failed with
 * @param yielded    false when the request finished without ever blocking (no backend I/O, no
 *                   wait, no suspension, an {@code immediately} error): QEMU completes such a
 *                   request from a bottom half, which a caller may want to mimic
 * @param sequence   when the request was last set running (submitted, resumed or woken by the
 *                   request it waited for), in one global order. Requests released together race
 *                   on their own threads; QEMU runs them one after another in release order, so a
 *                   caller that wants QEMU's output order sorts a batch of reports by this key
 * @param startNanos {@link System#nanoTime()} at submission
 * @param endNanos   {@link System#nanoTime()} at completion
 * @param attachment whatever the submitter attached (e.g. the shell's command), or null
 */
public record Completion(long id, Operation op, long offset, long length, int errno, boolean yielded,
                         long sequence, long startNanos, long endNanos, Object attachment) {
    public boolean failed() {
        return errno != 0;
    }
}
