package org.blkdebug.junit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.junit.Image;
import org.blkdebug.junit.InjectError;
import org.blkdebug.junit.SetState;
import org.junit.jupiter.api.Test;

/** The worked example of docs/java-api.md: a write-ahead log's recovery under blkdebug. */
@Image(size = 0, backing = Image.Backing.TEMP_FILE) // an empty file: the log grows it
class WriteAheadLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void appendedRecordsAreRecoveredInOrder(FileChannel ch) throws Exception {
        WriteAheadLog wal = new WriteAheadLog(ch);
        wal.append("a");
        wal.append("bb");
        assertThat(WriteAheadLog.recover(ch).records()).containsExactly("a", "bb");
    }

    @Test
    // the first commit's flush moves to state 2, the second one's arms the error: it fails once
    @SetState(event = "flush_to_disk", state = 1, newState = 2)
    @InjectError(event = "flush_to_disk", state = 2, iotype = "flush", errno = Errno.EIO, once = true)
    void failedForceStopsTheLogAndRecoveryKeepsTheCommittedPrefix(FileChannel ch) throws Exception {
        WriteAheadLog wal = new WriteAheadLog(ch);
        wal.append("committed");
        assertThatThrownBy(() -> wal.append("unacknowledged"))
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                .hasMessage("Input/output error");
        assertThatThrownBy(() -> wal.append("after")).isInstanceOf(IllegalStateException.class);
        // the acknowledged record survives. The failed one reached the image (blkdebug models no
        // volatile cache), so recovery returns it too: a failed commit is "unknown", not "gone".
        assertThat(WriteAheadLog.recover(ch).records()).containsExactly("committed", "unacknowledged");
        assertThat(new WriteAheadLog(ch).append("next")).as("a reopened log appends again").isPositive();
    }

    @Test
    void recoveryStopsAtTheFirstTornRecord(Device dev, FileChannel ch) throws Exception {
        WriteAheadLog wal = new WriteAheadLog(ch);
        wal.append("a");
        long torn = wal.append("bbbb");
        wal.append("c");
        dev.write(torn + WriteAheadLog.HEADER + 2, ByteBuffer.wrap(new byte[] {0})); // half a sector landed
        assertThat(WriteAheadLog.recover(ch).records()).containsExactly("a");
    }

    @Test
    void commitAcknowledgedBeforeAnEarlierRecordLandsIsLostInACrash(Device dev, FileChannel ch) throws Exception {
        // the ordering bug: an append acknowledges once its own record is forced
        WriteAheadLog wal = new WriteAheadLog(ch, WriteAheadLog.Commit.ON_OWN_FORCE);
        // two appends race: each stops at write_aio under its own tag
        dev.breakpoint(Event.WRITE_AIO, "first");
        CompletableFuture<Long> first = async(() -> wal.append("first"));
        assertThat(dev.awaitSuspended("first", WAIT)).as("first append at write_aio").isTrue();
        dev.breakpoint(Event.WRITE_AIO, "second");
        CompletableFuture<Long> second = async(() -> wal.append("second"));
        assertThat(dev.awaitSuspended("second", WAIT)).as("second append at write_aio").isTrue();

        // the later record lands and commits first
        dev.resume("second");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(WriteAheadLog.HEADER + "first".length());
        assertThat(first).isNotDone();
        // a crash now: "second" was acknowledged, but recovery stops at the hole "first" leaves
        assertThat(WriteAheadLog.recover(ch).records()).isEmpty();

        dev.resume("first");
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(WriteAheadLog.recover(ch).records()).containsExactly("first", "second");
    }

    @FunctionalInterface
    interface Io<T> {
        T call() throws Exception;
    }

    /** Runs {@code io} on its own thread; unlike an executor, nothing to close if the test fails mid-way. */
    static <T> CompletableFuture<T> async(Io<T> io) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(io.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }
}
