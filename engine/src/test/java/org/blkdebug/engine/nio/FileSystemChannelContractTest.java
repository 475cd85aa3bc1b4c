package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract over files of the blkdebug file system: a device per file, OS locks. */
class FileSystemChannelContractTest extends FileChannelContract {
    @RegisterExtension
    final BinFiles files = new BinFiles();

    @Override
    FileChannel open(OpenOption... options) throws IOException {
        FileChannel ch = FileChannel.open(files.newFile(), options);
        if (!(ch instanceof BlkDebugFileChannel)) {
            ch.close();
            throw new AssertionError("not through a device: " + ch);
        }
        return ch;
    }
}
