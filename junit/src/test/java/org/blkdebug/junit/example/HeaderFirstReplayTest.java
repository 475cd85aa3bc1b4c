package org.blkdebug.junit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.junit.AfterCrash;
import org.blkdebug.junit.Crash;
import org.blkdebug.junit.Image;
import org.junit.jupiter.api.Test;

/**
 * The line crash states printed for the header-first log, made again on purpose with
 * {@link Crash}: the state where the acknowledged record's payload never reached the disk.
 */
@Image(size = 0)
class HeaderFirstReplayTest {
    private final List<String> acknowledged = new ArrayList<>();

    @Test
    @Crash("--keep none --of 1")
    void appendOneRecord(FileChannel ch) throws Exception {
        new HeaderFirstWriteAheadLog(ch).append("alpha");
        acknowledged.add("alpha");
    }

    @AfterCrash
    void theAcknowledgedRecordIsGone(FileChannel crashed) throws Exception {
        assertThat(acknowledged).containsExactly("alpha");
        assertThat(WriteAheadLog.recover(crashed).records()).isEmpty(); // the bug, reproduced
    }
}
