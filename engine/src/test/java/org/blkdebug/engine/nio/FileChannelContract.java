package org.blkdebug.engine.nio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What a FileChannel does, run against the JDK's own channel and against BlkDebugFileChannel:
 * where these pass for both, code under test cannot tell them apart.
 */
abstract class FileChannelContract {

    /** A channel on a new, empty file (or device) with {@code options}. */
    abstract FileChannel open(OpenOption... options) throws IOException;

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(US_ASCII));
    }

    static String read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        ch.read(b, pos);
        return new String(b.array(), 0, b.position(), US_ASCII);
    }

    FileChannel rw() throws IOException {
        return open(StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void relativeWriteMovesThePositionAndGrowsTheFile() throws IOException {
        try (FileChannel ch = rw()) {
            assertThat(ch.write(ascii("hello"))).isEqualTo(5);
            assertThat(ch.position()).isEqualTo(5);
            assertThat(ch.size()).isEqualTo(5);
            assertThat(read(ch, 0, 5)).isEqualTo("hello");
        }
    }

    @Test
    void readAtOrPastTheEndReturnsMinusOne() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("abc"));
            assertThat(ch.read(ByteBuffer.allocate(4))).isEqualTo(-1);
            assertThat(ch.read(ByteBuffer.allocate(4), 10)).isEqualTo(-1);
        }
    }

    @Test
    void readIntoAFullBufferReturnsZeroEvenAtTheEnd() throws IOException {
        try (FileChannel ch = rw()) {
            assertThat(ch.read(ByteBuffer.allocate(0), 0)).isZero();
        }
    }

    @Test
    void readStopsShortAtTheEnd() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("abcdef"));
            ByteBuffer b = ByteBuffer.allocate(10);
            assertThat(ch.read(b, 4)).isEqualTo(2);
            assertThat(b.position()).isEqualTo(2);
        }
    }

    @Test
    void writePastTheEndLeavesAGapOfZeroes() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("xy"), 4);
            assertThat(ch.size()).isEqualTo(6);
            ByteBuffer b = ByteBuffer.allocate(6);
            ch.read(b, 0);
            assertThat(b.array()).containsExactly(0, 0, 0, 0, 'x', 'y');
        }
    }

    @Test
    void positionalIoLeavesThePositionAlone() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("abc"), 0);
            ch.read(ByteBuffer.allocate(3), 0);
            assertThat(ch.position()).isZero();
        }
    }

    @Test
    void scatteringReadFillsBuffersInOrderAndStopsAtTheEnd() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("abcde"), 0);
            ByteBuffer a = ByteBuffer.allocate(2);
            ByteBuffer b = ByteBuffer.allocate(2);
            ByteBuffer c = ByteBuffer.allocate(2);
            assertThat(ch.read(new ByteBuffer[] {a, b, c})).isEqualTo(5);
            assertThat(c.position()).isEqualTo(1);
            assertThat(ch.position()).isEqualTo(5);
        }
    }

    @Test
    void gatheringWriteWritesBuffersInOrder() throws IOException {
        try (FileChannel ch = rw()) {
            assertThat(ch.write(new ByteBuffer[] {ascii("ab"), ascii("cd")}, 1, 1)).isEqualTo(2);
            assertThat(read(ch, 0, 10)).isEqualTo("cd");
        }
    }

    @Test
    void appendWritesAtTheEndWhateverThePosition() throws IOException {
        try (FileChannel ch = open(StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ascii("ab"));
            ch.position(0);
            ch.write(ascii("cd"));
            assertThat(ch.size()).isEqualTo(4);
            assertThat(ch.position()).isEqualTo(4);
        }
    }

    @Test
    void truncateShrinksAndPullsThePositionBack() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("abcdef"));
            ch.truncate(2);
            assertThat(ch.size()).isEqualTo(2);
            assertThat(ch.position()).isEqualTo(2);
        }
    }

    @Test
    void truncateToALargerSizeChangesNothing() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("ab"));
            ch.truncate(100);
            assertThat(ch.size()).isEqualTo(2);
        }
    }

    @Test
    void readOnlyChannelRefusesWrites() throws IOException {
        try (FileChannel ch = open(StandardOpenOption.READ)) {
            assertThatThrownBy(() -> ch.write(ascii("x"))).isInstanceOf(NonWritableChannelException.class);
        }
    }

    @Test
    void transferToCopiesTheRange() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("0123456789"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ch.transferTo(2, 5, Channels.newChannel(out))).isEqualTo(5);
            assertThat(out.toString(US_ASCII)).isEqualTo("23456");
            assertThat(ch.transferTo(20, 5, Channels.newChannel(out))).isZero();
        }
    }

    @Test
    void transferFromWritesAtThePosition() throws IOException {
        try (FileChannel ch = rw()) {
            ch.write(ascii("0123456789"));
            assertThat(ch.transferFrom(Channels.newChannel(new ByteArrayInputStream("ab".getBytes(US_ASCII))), 8, 5))
                    .isEqualTo(2);
            assertThat(read(ch, 0, 10)).isEqualTo("01234567ab");
            // past the end the file grows (JDK 22+; JDK 21 transferred nothing)
            assertThat(ch.transferFrom(Channels.newChannel(new ByteArrayInputStream("cd".getBytes(US_ASCII))), 12, 3))
                    .isEqualTo(2);
            assertThat(ch.size()).isEqualTo(14);
        }
    }

    @Test
    void overlappingLockInOneJvmThrows() throws IOException {
        try (FileChannel ch = rw()) {
            try (FileLock l = ch.lock(0, 10, false)) {
                assertThat(l.isValid()).isTrue();
                assertThatThrownBy(() -> ch.tryLock(5, 10, true)).isInstanceOf(OverlappingFileLockException.class);
                assertThat(ch.tryLock(10, 5, false)).isNotNull().satisfies(FileLock::release);
            }
            assertThat(ch.tryLock(0, 10, false)).isNotNull();
        }
    }

    @Test
    void closingTheChannelInvalidatesItsLocks() throws IOException {
        FileLock l;
        try (FileChannel ch = rw()) {
            l = ch.lock();
        }
        assertThat(l.isValid()).isFalse();
    }

    @Test
    void closedChannelRefusesIo() throws IOException {
        FileChannel ch = rw();
        ch.close();
        assertThatThrownBy(() -> ch.write(ascii("x"))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(ch::size).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void streamsOverTheChannelRoundTrip() throws IOException {
        try (FileChannel ch = rw()) {
            Channels.newOutputStream(ch).write("stream".getBytes(US_ASCII)); // not closed: that closes ch
            ch.position(0);
            assertThat(new String(Channels.newInputStream(ch).readAllBytes(), US_ASCII)).isEqualTo("stream");
        }
    }
}
