package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The reference: the contract as the JDK's own AsynchronousFileChannel fulfils it. */
class JdkAsynchronousFileChannelContractTest extends AsynchronousFileChannelContract {
    @TempDir
    Path dir;

    @Override
    Path newFile() throws IOException {
        return Files.createTempFile(dir, "contract", ".bin");
    }
}
