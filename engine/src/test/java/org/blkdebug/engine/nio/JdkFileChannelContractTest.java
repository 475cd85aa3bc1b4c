package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The reference: the contract as the JDK's own FileChannel fulfils it. */
class JdkFileChannelContractTest extends FileChannelContract {
    @TempDir
    Path dir;

    @Override
    FileChannel open(OpenOption... options) throws IOException {
        Path f = Files.createTempFile(dir, "contract", ".bin");
        return FileChannel.open(f, options);
    }
}
