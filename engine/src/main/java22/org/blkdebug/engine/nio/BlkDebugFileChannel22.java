package org.blkdebug.engine.nio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.util.Set;

/**
 * {@link BlkDebugFileChannel} on JDK 22 and later, where {@code FileChannel.map(mode, pos, size,
 * Arena)} is final API: refused with the same reason as the three-argument {@code map}, instead
 * of the JDK's bare {@link UnsupportedOperationException}. Chosen by {@link Jdk22}.
 */
final class BlkDebugFileChannel22 extends BlkDebugFileChannel {
    BlkDebugFileChannel22(DeviceFile file, Set<? extends OpenOption> options, OnClose onClose) throws IOException {
        super(file, options, onClose);
    }

    @Override
    public MemorySegment map(MapMode mode, long offset, long size, Arena arena) {
        throw new UnsupportedOperationException(MAP_REFUSED);
    }
}
