package org.blkdebug.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check 'CMD {}'}: a command decides each state, from a file or an NBD export. */
class CommandCheckTest {
    @TempDir
    Path dir;

    private Device device() throws Exception {
        Path p = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(64 << 10);
        }
        return BlkDebug.builder().image(p.toString()).open();
    }

    @Test
    void theFileHoldsEachStateInTurn() throws Exception {
        try (Device dev = device(); CommandCheck check = new CommandCheck(
                // reject the states whose second sector kept its write: byte 512 is 'B'
                "test \"$(dd if={} bs=1 skip=512 count=1 2>/dev/null)\" != B", dir, CommandCheck.DEFAULT_TIMEOUT)) {
            dev.write(0, ByteBuffer.wrap("A".repeat(512).getBytes()));
            dev.write(512, ByteBuffer.wrap("B".repeat(512).getBytes()));
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), check);
            assertThat(r.checked()).isEqualTo(4);
            assertThat(r.rejected()).extracting(CrashStates.Rejection::replayLine)
                    .containsExactlyInAnyOrder("crash --keep 2 --of 2", "crash --keep 1,2 --of 2");
            assertThat(r.rejected().getFirst().reason()).isEqualTo("exit 1");
        }
    }

    @Test
    void aCommandThatWritesTheFileDoesNotLeakIntoTheNextState() throws Exception {
        try (Device dev = device(); CommandCheck check = new CommandCheck(
                "test \"$(dd if={} bs=1 skip=0 count=1 2>/dev/null)\" != Z && printf Z | dd of={} conv=notrunc 2>/dev/null",
                dir, CommandCheck.DEFAULT_TIMEOUT)) {
            dev.write(0, ByteBuffer.wrap("A".repeat(512).getBytes()));
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), check);
            assertThat(r.checked()).isEqualTo(2);
            assertThat(r.passed()).isTrue();
        }
    }

    @Test
    void theOutputOfARejectingCommandIsTheReason() throws Exception {
        try (Device dev = device(); CommandCheck check = new CommandCheck("echo broken {}; exit 3", dir,
                CommandCheck.DEFAULT_TIMEOUT)) {
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), check);
            assertThat(r.rejected()).singleElement().satisfies(x ->
                    assertThat(x.reason()).startsWith("exit 3: broken ").endsWith(".img"));
        }
    }
}
