package com.example;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.junit.Image;
import org.blkdebug.junit.InjectError;
import org.blkdebug.junit.SetState;
import org.junit.jupiter.api.Test;

/** A commit (append, then force) under blkdebug: an empty temporary file that the commits grow. */
@Image(size = 0, backing = Image.Backing.TEMP_FILE)
class CommitTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The code under test: appends a record and makes it durable. */
    static void commit(FileChannel ch, String record) throws Exception {
        ch.write(ByteBuffer.wrap(record.getBytes(UTF_8)), ch.size());
        ch.force(false);
    }

    @Test
    @SetState(event = "flush_to_disk", state = 1, newState = 2) // the first commit's flush: state 2
    @InjectError(event = "flush_to_disk", state = 2, iotype = "flush", errno = Errno.EIO, once = true)
    void secondCommitFailsWhenItsFlushFails(FileChannel ch) throws Exception {
        commit(ch, "first;");
        assertThatThrownBy(() -> commit(ch, "second;"))
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                .hasMessage("Input/output error");
        commit(ch, "third;"); // once: the rule is spent, the next flush succeeds
    }

    @Test
    void commitWaitsAtItsWriteUntilResumed(Device dev, FileChannel ch) throws Exception {
        dev.breakpoint(Event.WRITE_AIO, "W");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> commit = pool.submit(() -> {
                commit(ch, "record;");
                return null;
            });
            assertThat(dev.awaitSuspended("W", WAIT)).isTrue();
            assertThat(dev.awaitQuiescence(WAIT)).isTrue(); // its thread has parked
            List<RequestInfo> requests = dev.requests();
            assertThat(requests).singleElement().satisfies(r -> {
                assertThat(r.phase()).isEqualTo(Phase.SUSPENDED);
                assertThat(r.tag()).isEqualTo("W");
                assertThat(r.length()).isEqualTo("record;".length());
            });
            assertThat(commit).isNotDone();
            dev.resume("W");
            commit.get(10, TimeUnit.SECONDS);
        }
        assertThat(dev.isSuspended("W")).isFalse();
        assertThat(dev.length()).isEqualTo("record;".length());
    }
}
