package org.blkdebug.engine;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named event of the code above the device (a storage engine's {@code wal_commit}), with the
 * same semantics as QEMU's events: it can arm inject-error rules, change the state and stop at a
 * breakpoint. Not in QEMU (docs/differences-from-qemu.md, D13).
 *
 * <p>A device knows only the custom events declared when it opened ({@code [custom-event]},
 * {@code custom-event.N}, {@link BlkDebug.Builder#customEvent}), so a misspelt name still fails
 * the open with {@code invalid parameter value: NAME}, as a misspelt QEMU event does.
 *
 * @param name {@code [a-z][a-z0-9_]*}, at most 63 characters, not one of QEMU's event names
 */
public record CustomEvent(String name) implements EventName {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public CustomEvent {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid custom event name '" + name
                    + "': use [a-z][a-z0-9_]*, at most 63 characters, not a QEMU event name");
        }
    }

    /** True when {@code name} may name a custom event. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && Event.byName(name).isEmpty();
    }

    @Override
    public String eventName() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
