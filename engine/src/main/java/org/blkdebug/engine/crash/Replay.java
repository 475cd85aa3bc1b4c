package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code blkdebug replay}: rebuilds an image from a {@link WriteLog}, as dm-log-writes'
 * {@code replay-log} does. Records are applied strictly in log order; the record a replay stops
 * at is applied too. The image must hold what the device held when the log started (the log
 * records its length then, and replay sets it first).
 */
public final class Replay {
    private Replay() {
    }

    /** Where {@link #checkAt} stops to check: after each flush, or after each FUA write. */
    public enum Point { FLUSH, FUA }

    /** Decides the image as of one persistence point; throwing rejects it. */
    @FunctionalInterface
    public interface PointCheck {
        void check(WriteLog.Record at, Path image) throws Exception;
    }

    /** Thrown by a check to stop the whole replay (not just reject one point). */
    public static final class Abort extends RuntimeException {
        public Abort(String message) {
            super(message);
        }
    }

    /** A persistence point whose image the check rejected. */
    public record Failure(WriteLog.Record at, String reason) {
    }

    /** Applies records 1 .. {@code to.number()} to {@code image}; returns how many. */
    public static long to(WriteLog log, WriteLog.Record to, Path image) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            start(log, ch);
            for (WriteLog.Record r : log.records()) {
                apply(log, r, ch);
                if (r.number() == to.number()) {
                    break;
                }
            }
            ch.force(false);
            return to.number();
        }
    }

    /**
     * Replays the whole log into {@code image}, stopping after every persistence point of kind
     * {@code at} to run {@code check} on the image as it is then. Stops at the first failure when
     * {@code stopAtFirst}.
     */
    public static List<Failure> checkAt(WriteLog log, Path image, Point at, PointCheck check, boolean stopAtFirst)
            throws IOException, InterruptedException {
        List<Failure> failures = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            start(log, ch);
            for (WriteLog.Record r : log.records()) {
                apply(log, r, ch);
                boolean point = at == Point.FLUSH ? r.isFlush() : r.isFua();
                if (!point) {
                    continue;
                }
                ch.force(false);
                try {
                    check.check(r, image);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Abort e) {
                    throw new IOException(e.getMessage(), e);
                } catch (Exception | AssertionError e) {
                    failures.add(new Failure(r, e.getMessage() == null ? e.toString() : e.getMessage()));
                    if (stopAtFirst) {
                        break;
                    }
                }
            }
        }
        return failures;
    }

    private static void start(WriteLog log, FileChannel ch) throws IOException {
        resize(ch, log.initialLength());
    }

    private static void resize(FileChannel ch, long length) throws IOException {
        if (ch.size() > length) {
            ch.truncate(length);
        } else if (ch.size() < length) {
            ch.write(ByteBuffer.allocate(1), length - 1);
        }
    }

    private static void apply(WriteLog log, WriteLog.Record r, FileChannel ch) throws IOException {
        switch (r.type()) {
            case WRITE -> {
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(r.length(), 1 << 20));
                for (long done = 0; done < r.length(); ) {
                    int n = (int) Math.min(r.length() - done, b.capacity());
                    b.clear().limit(n);
                    log.readData(r, done, b);
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b, r.offset() + done + b.position());
                    }
                    done += n;
                }
            }
            case WRITE_ZEROES, DISCARD -> {
                ByteBuffer zero = ByteBuffer.allocate((int) Math.min(r.length(), 1 << 20));
                for (long done = 0; done < r.length(); ) {
                    int n = (int) Math.min(r.length() - done, zero.capacity());
                    zero.clear().limit(n);
                    while (zero.hasRemaining()) {
                        ch.write(zero, r.offset() + done + zero.position());
                    }
                    done += n;
                }
            }
            case RESIZE -> resize(ch, r.offset());
            case FLUSH, MARK -> {
            }
        }
    }
}
