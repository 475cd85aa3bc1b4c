package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.junit.jupiter.api.AfterEach;

/** The contract over an empty in-memory device with no rules. */
class BlkDebugFileChannelContractTest extends FileChannelContract {
    private final List<Device> devices = new ArrayList<>();

    @Override
    FileChannel open(OpenOption... options) throws IOException {
        Device dev = BlkDebug.builder().memory(0).open();
        devices.add(dev);
        return BlkDebugFileChannel.open(dev, options);
    }

    @AfterEach
    void closeDevices() throws IOException {
        for (Device d : devices) {
            d.close();
        }
    }
}
