package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the contract tests: a blkdebug file system over a fresh directory, with every {@code *.bin}
 * file through a device, open for one test. Register with {@code @RegisterExtension}.
 */
final class BinFiles implements BeforeEachCallback, AfterEachCallback {
    private Path dir;
    private BlkDebugFileSystem fs;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("blkdebug-contract");
        fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.bin"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            fs.close();
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A new, empty file, as a path of the blkdebug file system. */
    Path newFile() throws IOException {
        return fs.getPath(Files.createTempFile(dir, "contract", ".bin").toString());
    }
}
