package org.blkdebug.engine.explore;

import java.util.Objects;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;

/**
 * The fail-each axis: run k fails the k-th request that one inject-error rule matches (the rule
 * with {@code skip = k - 1}); the sweep stops at the first run in which the rule never fired. A
 * request "matches" as blkdebug matches an armed rule: the rule is armed by {@link #event} (by
 * default {@code none}, at open, so it matches every request) and checked against each request's
 * type and range.
 *
 * @param event      arms the rule
 * @param iotypeMask {@link IoType} bits the rule matches ({@link IoType#DEFAULT_MASK}: all but block-status)
 * @param errno      the error the chosen request gets
 * @param persistent every matching request after the k-th fails too (SQLite's "persistent"
 *                   fault loop); by default only the k-th fails ({@code once})
 */
public record FailEach(EventName event, int iotypeMask, int errno, boolean persistent) {
    public FailEach {
        Objects.requireNonNull(event, "event");
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive: " + errno);
        }
    }

    /** Every request, EIO, once. */
    public static FailEach everyRequest() {
        return new FailEach(Event.NONE, IoType.DEFAULT_MASK, Errno.EIO, false);
    }

    public FailEach withEvent(EventName e) {
        return new FailEach(e, iotypeMask, errno, persistent);
    }

    public FailEach withIoType(IoType t) {
        return new FailEach(event, t.bit(), errno, persistent);
    }

    public FailEach withErrno(int e) {
        return new FailEach(event, iotypeMask, e, persistent);
    }

    public FailEach withPersistent(boolean p) {
        return new FailEach(event, iotypeMask, errno, p);
    }

    /** The rule of run {@code k} (from 1): it lets k - 1 matching requests pass. */
    public Rule.InjectError rule(long k) {
        return new Rule.InjectError(event, 0, iotypeMask, errno, -1, !persistent, false, 1, k - 1);
    }
}
