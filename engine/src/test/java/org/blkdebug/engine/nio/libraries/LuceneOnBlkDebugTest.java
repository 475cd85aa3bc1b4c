package org.blkdebug.engine.nio.libraries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.nio.BlkDebugFileSystem;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Lucene (10.3.2, unmodified) on the blkdebug file system: an {@link NIOFSDirectory} over
 * a directory where every file, {@code write.lock} included, is a device. Lucene's commit writes
 * and closes each segment file, then fsyncs it by name through a new channel, writes
 * {@code pending_segments_N}, fsyncs it, renames it to {@code segments_N} and fsyncs the
 * directory; the second commit's files are {@code _1*} and {@code pending_segments_2}.
 */
@Timeout(120) // a step that never resumes must not hang the build
class LuceneOnBlkDebugTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Every other file: through a device, no rules. */
    private static final FileRules EVERY_FILE = FileRules.of("**");

    @TempDir
    Path dir;

    private BlkDebugFileSystem fileSystem(FileRules... first) throws IOException {
        List<FileRules> rules = new ArrayList<>(List.of(first));
        rules.add(EVERY_FILE);
        return BlkDebugFileSystems.newFileSystem(dir, rules.toArray(FileRules[]::new));
    }

    private Directory directory(BlkDebugFileSystem fs) throws IOException {
        return new NIOFSDirectory(fs.getPath(dir.toString()));
    }

    private static IndexWriter writer(Directory d) throws IOException {
        return new IndexWriter(d, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE).setCommitOnClose(false));
    }

    private static void add(IndexWriter w, String... ids) throws IOException {
        for (String id : ids) {
            Document doc = new Document();
            doc.add(new StringField("id", id, Field.Store.YES));
            w.addDocument(doc);
        }
    }

    /** A reader's view of the last commit: its generation and the ids it holds. */
    record Commit(long generation, List<String> ids) {
    }

    private static Commit lastCommit(Directory d) throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryReader r = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : r.leaves()) {
                StoredFields stored = leaf.reader().storedFields();
                for (int i = 0; i < leaf.reader().maxDoc(); i++) {
                    ids.add(stored.document(i).get("id"));
                }
            }
        }
        return new Commit(SegmentInfos.readLatestCommit(d).getGeneration(), ids);
    }

    /** Recovery: the index reopened on a file system without rules. */
    private Commit recovered() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, EVERY_FILE); Directory d = directory(fs)) {
            return lastCommit(d);
        }
    }

    @Test
    void createCommitAndReopen() throws IOException {
        try (BlkDebugFileSystem fs = fileSystem(); Directory d = directory(fs); IndexWriter w = writer(d)) {
            add(w, "a", "b");
            w.commit();
            assertThat(fs.device(fs.getPath(dir.resolve("segments_1").toString()))).as("through a device").isPresent();
            assertThat(fs.device(fs.getPath(dir.resolve("write.lock").toString()))).isPresent();
        }
        assertThat(recovered()).isEqualTo(new Commit(1, List.of("a", "b")));
    }

    @Test
    void enospcWritingTheSecondCommitsSegmentFailsItAndRecoveryFindsTheFirst() throws IOException {
        Rule enospc = Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true);
        try (BlkDebugFileSystem fs = fileSystem(FileRules.of("_1*", enospc)); Directory d = directory(fs)) {
            IndexWriter w = writer(d);
            add(w, "a", "b");
            w.commit();
            add(w, "c");
            assertThatThrownBy(w::commit).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(Failures.injectedErrno(e)).isEqualTo(Errno.ENOSPC));
            w.rollback();
        }
        assertThat(recovered()).isEqualTo(new Commit(1, List.of("a", "b")));
    }

    @Test
    void eioOnFlushToDiskFailsTheCommitsFsyncAndRecoveryFindsTheFirst() throws IOException {
        // the segment files are written and closed first, and fsynced by name later: the fsync
        // through a new channel must still find their writes unflushed
        Rule eio = Rule.InjectError.of(Event.FLUSH_TO_DISK).withIoType(IoType.FLUSH).withErrno(Errno.EIO);
        try (BlkDebugFileSystem fs = fileSystem(FileRules.of("_1*", eio)); Directory d = directory(fs)) {
            IndexWriter w = writer(d);
            add(w, "a", "b");
            w.commit();
            add(w, "c");
            assertThatThrownBy(w::commit).isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(Failures.injectedErrno(e)).isEqualTo(Errno.EIO));
            assertThat(Files.exists(dir.resolve("segments_2"))).as("never published").isFalse();
            w.rollback();
        }
        assertThat(recovered()).isEqualTo(new Commit(1, List.of("a", "b")));
    }

    @Test
    void breakpointParksACommitAtItsFsyncUntilResumed() throws Exception {
        Rule.Suspend brk = new Rule.Suspend(Event.FLUSH_TO_DISK, "C");
        try (BlkDebugFileSystem fs = fileSystem(FileRules.of("pending_segments_2", brk)); Directory d = directory(fs);
             IndexWriter w = writer(d)) {
            add(w, "a");
            w.commit();
            add(w, "b");
            CompletableFuture<Long> commit = new CompletableFuture<>();
            Thread.ofVirtual().name("committer").start(() -> {
                try {
                    commit.complete(w.commit());
                } catch (Throwable t) {
                    commit.completeExceptionally(t);
                }
            });
            Path pending = fs.getPath(dir.resolve("pending_segments_2").toString());
            Device dev = fs.awaitDevice(pending, WAIT).orElseThrow();
            try {
                assertThat(dev.awaitSuspended("C", WAIT)).as("the commit's fsync of pending_segments_2").isTrue();
                assertThat(commit).isNotDone();
                assertThat(lastCommit(d)).as("not published yet").isEqualTo(new Commit(1, List.of("a")));
            } finally {
                dev.removeBreakpoint("C");
            }
            commit.get(10, TimeUnit.SECONDS);
            assertThat(lastCommit(d)).isEqualTo(new Commit(2, List.of("a", "b")));
        }
    }

    @Test
    void mmapDirectoryIsRefusedWithTheReason() throws IOException {
        try (BlkDebugFileSystem fs = fileSystem(); Directory d = new MMapDirectory(fs.getPath(dir.toString()))) {
            try (var out = d.createOutput("data", IOContext.DEFAULT)) {
                out.writeInt(42);
            }
            assertThatThrownBy(() -> d.openInput("data", IOContext.DEFAULT))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("cannot be memory-mapped").hasMessageContaining("bypass");
        }
    }
}
