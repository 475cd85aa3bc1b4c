package org.blkdebug.engine.nbd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Shared bits of the NBD tests: a server on a Unix socket in a temp dir, with its log captured. */
final class NbdFixture {
    static final Duration WAIT = Duration.ofSeconds(10);

    private NbdFixture() {
    }

    /** Collects the server's log lines. */
    static final class Log {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        NbdServer.Options options(Path dir) {
            return NbdServer.Options.unix(dir.resolve("nbd.sock")).withLog(lines::add);
        }

        List<String> snapshot() {
            synchronized (lines) {
                return new ArrayList<>(lines);
            }
        }
    }

    /** Polls {@code condition} until it holds or {@link #WAIT} passes. */
    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
