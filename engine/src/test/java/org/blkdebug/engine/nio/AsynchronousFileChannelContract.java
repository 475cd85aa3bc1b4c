package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.FileChannelContract.ascii;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an AsynchronousFileChannel does, run against the JDK's own and the blkdebug file system's:
 * where these pass for both, code under test cannot tell them apart.
 */
abstract class AsynchronousFileChannelContract {

    /** A new, empty file's path, of the file system under test. */
    abstract Path newFile() throws IOException;

    AsynchronousFileChannel open(OpenOption... options) throws IOException {
        return AsynchronousFileChannel.open(newFile(), options);
    }

    AsynchronousFileChannel rw() throws IOException {
        return open(StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    static int get(java.util.concurrent.Future<Integer> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    static String read(AsynchronousFileChannel ch, long pos, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(len);
        get(ch.read(b, pos));
        return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The handler's outcome as a future. */
    static final class Handler<V> implements CompletionHandler<V, String> {
        final CompletableFuture<V> result = new CompletableFuture<>();
        volatile String attachment;

        @Override
        public void completed(V v, String att) {
            attachment = att;
            result.complete(v);
        }

        @Override
        public void failed(Throwable e, String att) {
            attachment = att;
            result.completeExceptionally(e);
        }
    }

    @Test
    void writeThenReadRoundTripsAndMovesTheBuffers() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            ByteBuffer src = ascii("hello");
            assertThat(get(ch.write(src, 0))).isEqualTo(5);
            assertThat(src.hasRemaining()).isFalse();
            assertThat(ch.size()).isEqualTo(5);
            assertThat(read(ch, 0, 5)).isEqualTo("hello");
        }
    }

    @Test
    void readAtOrPastTheEndGivesMinusOne() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            get(ch.write(ascii("abc"), 0));
            assertThat(get(ch.read(ByteBuffer.allocate(4), 3))).isEqualTo(-1);
            assertThat(get(ch.read(ByteBuffer.allocate(4), 10))).isEqualTo(-1);
        }
    }

    @Test
    void readStopsShortAtTheEnd() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            get(ch.write(ascii("abcdef"), 0));
            ByteBuffer b = ByteBuffer.allocate(10);
            assertThat(get(ch.read(b, 4))).isEqualTo(2);
            assertThat(b.position()).isEqualTo(2);
        }
    }

    @Test
    void writePastTheEndLeavesAGapOfZeroes() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            get(ch.write(ascii("xy"), 4));
            assertThat(ch.size()).isEqualTo(6);
            assertThat(read(ch, 0, 6)).isEqualTo("\0\0\0\0xy");
        }
    }

    @Test
    void handlerGetsTheResultAndTheAttachment() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            Handler<Integer> h = new Handler<>();
            ch.write(ascii("abc"), 0, "att", h);
            assertThat(h.result.get(10, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(h.attachment).isEqualTo("att");
            Handler<Integer> eof = new Handler<>();
            ch.read(ByteBuffer.allocate(1), 3, "eof", eof);
            assertThat(eof.result.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void readIntoAReadOnlyBufferIsRefused() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readOnlyChannelRefusesWrites() throws Exception {
        try (AsynchronousFileChannel ch = open(StandardOpenOption.READ)) {
            assertThatThrownBy(() -> ch.write(ascii("x"), 0)).isInstanceOf(NonWritableChannelException.class);
        }
    }

    @Test
    void appendIsRefused() {
        assertThatThrownBy(() -> open(StandardOpenOption.WRITE, StandardOpenOption.APPEND))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void closedChannelFailsFuturesAndHandlers() throws Exception {
        AsynchronousFileChannel ch = rw();
        ch.close();
        assertThatThrownBy(() -> get(ch.read(ByteBuffer.allocate(1), 0)))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClosedChannelException.class);
        Handler<Integer> h = new Handler<>();
        ch.write(ascii("x"), 0, "closed", h);
        assertThatThrownBy(() -> h.result.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(ch::size).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void truncateShrinksAndForceSucceeds() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            get(ch.write(ascii("abcdef"), 0));
            ch.force(true);
            ch.truncate(2);
            assertThat(ch.size()).isEqualTo(2);
            ch.truncate(100);
            assertThat(ch.size()).isEqualTo(2);
        }
    }

    @Test
    void overlappingLockInOneJvmThrows() throws Exception {
        try (AsynchronousFileChannel ch = rw()) {
            FileLock l = ch.lock(0, 10, false).get(10, TimeUnit.SECONDS);
            assertThat(l.isValid()).isTrue();
            assertThat(l.acquiredBy()).isSameAs(ch);
            assertThatThrownBy(() -> ch.tryLock(5, 10, true)).isInstanceOf(OverlappingFileLockException.class);
            assertThatThrownBy(() -> ch.lock(5, 10, false)).isInstanceOf(OverlappingFileLockException.class);
            l.release();
            assertThat(l.isValid()).isFalse();
            assertThat(ch.tryLock(0, 10, false)).isNotNull();
        }
    }

    @Test
    void closingTheChannelInvalidatesItsLocks() throws Exception {
        FileLock l;
        try (AsynchronousFileChannel ch = rw()) {
            l = ch.tryLock();
        }
        assertThat(l.isValid()).isFalse();
    }
}
