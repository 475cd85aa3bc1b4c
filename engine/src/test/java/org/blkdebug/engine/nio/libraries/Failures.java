package org.blkdebug.engine.nio.libraries;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.blkdebug.engine.BlockException;

/** What a library's exception says underneath: the injected {@link BlockException}, wherever it was wrapped. */
final class Failures {
    private Failures() {
    }

    /** The errno of the first BlockException among {@code t}'s causes and suppressed exceptions; 0 if none. */
    static int injectedErrno(Throwable t) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = new HashSet<>();
        todo.add(t);
        while (!todo.isEmpty()) {
            Throwable e = todo.poll();
            if (e == null || !seen.add(e)) {
                continue;
            }
            if (e instanceof BlockException b) {
                return b.errno();
            }
            todo.add(e.getCause());
            todo.addAll(java.util.List.of(e.getSuppressed()));
        }
        return 0;
    }
}
