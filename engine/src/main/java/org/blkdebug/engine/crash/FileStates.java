package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import org.blkdebug.engine.block.IoVec;

/**
 * The crash states of one cache, frozen, for a caller that combines several (a file system's
 * files): its volatile writes with their numbers, a content hash per set of kept units, and the
 * bytes of any state written out to a file. Units as in {@link CrashStates}: a write, or one of
 * its pages (sectors) when torn, numbered from 0 in completion order. <b>Close it.</b>
 */
public final class FileStates implements AutoCloseable {
    private final Snapshot snapshot;
    private final CrashSpace space;

    FileStates(Snapshot snapshot, CrashSpace space) {
        this.snapshot = snapshot;
        this.space = space;
    }

    /** Volatile writes. */
    public int writes() {
        return space.groups();
    }

    /** The number the cache's order gave write {@code i} (0-based, completion order). */
    public long seq(int i) {
        return snapshot.entries.get(i).seq();
    }

    public int firstUnit(int i) {
        return space.base(i);
    }

    public int units(int i) {
        return space.size(i);
    }

    public int units() {
        return space.units();
    }

    /** Equal for sets of kept units that leave the same bytes. */
    public long hash(BitSet kept) {
        return space.hash(kept);
    }

    /** The length the file has in every state (a resize is never undone). */
    public long length() {
        return snapshot.length;
    }

    /** Writes the whole state {@code kept} to {@code target} (created or truncated). */
    public void write(BitSet kept, Path target) throws IOException {
        StateView view = space.view(kept);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < view.length(); ) {
                int n = (int) Math.min(view.length() - at, b.capacity());
                b.clear().limit(n);
                view.read(at, IoVec.of(b));
                b.position(0).limit(n);
                while (b.hasRemaining()) {
                    out.write(b, at + b.position());
                }
                at += n;
            }
        }
    }

    @Override
    public void close() {
        snapshot.close();
    }
}
