package org.blkdebug.engine;

/**
 * What rules and breakpoints are keyed by: one of QEMU's 48 {@link Event}s, or a
 * {@link CustomEvent} that code above the device declared at open and fires itself.
 */
public sealed interface EventName permits Event, CustomEvent {

    /** The event's spelling in configs, options and the shell, e.g. {@code l2_update} or {@code wal_commit}. */
    String eventName();
}
