package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract over files of the blkdebug file system, each through its device. */
class FileSystemAsynchronousChannelContractTest extends AsynchronousFileChannelContract {
    @RegisterExtension
    final BinFiles files = new BinFiles();

    @Override
    Path newFile() throws IOException {
        return files.newFile();
    }

    @Override
    AsynchronousFileChannel open(OpenOption... options) throws IOException {
        AsynchronousFileChannel ch = super.open(options);
        if (!(ch instanceof BlkDebugAsynchronousFileChannel)) {
            ch.close();
            throw new AssertionError("not through a device: " + ch);
        }
        return ch;
    }
}
