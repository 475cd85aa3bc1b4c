package org.blkdebug.engine.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Map;

/**
 * Entry point for blkdebug under a directory tree:
 *
 * <pre>{@code
 * try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir,
 *         FileRules.of("*.wal", Rule.InjectError.of(Event.FLUSH_TO_DISK).withIoType(IoType.FLUSH)))) {
 *     Path wal = fs.getPath(dir.resolve("a.wal").toString());   // same path, blkdebug provider
 *     try (FileChannel ch = FileChannel.open(wal, CREATE, READ, WRITE)) { ... ch.force(false) fails: EIO }
 * }
 * }</pre>
 */
public final class BlkDebugFileSystems {
    private BlkDebugFileSystems() {
    }

    /** A file system over the default one whose files under {@code root} follow {@code rules}. */
    public static BlkDebugFileSystem newFileSystem(Path root, FileRules... rules) throws IOException {
        Path abs = root.toAbsolutePath().normalize();
        URI uri = URI.create(BlkDebugFileSystemProvider.SCHEME + "://" + abs.toUri().getRawPath());
        return provider().newFileSystem(uri, Map.of("rules", List.of(rules)));
    }

    /**
     * The installed provider (META-INF/services), so that {@code Path.of(URI)} finds file systems
     * made here; a private one when the engine is not visible to the system class loader.
     */
    static BlkDebugFileSystemProvider provider() {
        return Installed.PROVIDER;
    }

    private static final class Installed {
        static final BlkDebugFileSystemProvider PROVIDER = find();

        private static BlkDebugFileSystemProvider find() {
            for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
                if (p instanceof BlkDebugFileSystemProvider b) {
                    return b;
                }
            }
            return new BlkDebugFileSystemProvider();
        }
    }
}
