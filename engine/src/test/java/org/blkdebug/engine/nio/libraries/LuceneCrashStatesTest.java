package org.blkdebug.engine.nio.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.NIOFSDirectory;
import org.blkdebug.engine.crash.CrashStates;
import org.blkdebug.engine.nio.BlkDebugFileSystem;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Lucene's commit against the file system's crash model: after a second commit and with a
 * third one written but not committed, every state a crash could leave (files' unfsynced pages,
 * directory entries not fsynced, sampled) opens to the second commit. Lucene fsyncs each file and
 * then the directory, so none may lose it; this is what the crash model must not get wrong.
 */
@Timeout(120)
class LuceneCrashStatesTest {
    @TempDir
    Path dir;

    private static void add(IndexWriter w, String... ids) throws Exception {
        for (String id : ids) {
            Document doc = new Document();
            doc.add(new StringField("id", id, Field.Store.YES));
            w.addDocument(doc);
        }
    }

    private static List<String> ids(Path index) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Directory d = new NIOFSDirectory(index); DirectoryReader r = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : r.leaves()) {
                StoredFields stored = leaf.reader().storedFields();
                for (int i = 0; i < leaf.reader().maxDoc(); i++) {
                    ids.add(stored.document(i).get("id"));
                }
            }
        }
        return ids;
    }

    @Test
    void everyCrashStateOpensToTheLastCommit() throws Exception {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("**"));
             Directory d = new NIOFSDirectory(fs.getPath(dir.toString()));
             IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setMergePolicy(NoMergePolicy.INSTANCE)
                     .setCommitOnClose(false))) {
            add(w, "a", "b");
            w.commit();
            add(w, "c");
            w.commit();
            add(w, "d"); // flushed to a segment, not committed
            w.flush();
            assertThat(fs.volatileChanges()).as("the uncommitted segment is volatile").isNotEmpty();
            CrashStates.Report r = fs.crashStates(CrashStates.Options.defaults().withMax(64).withTorn(true),
                    (state, choice) -> assertThat(ids(state)).as("crash %s", choice).containsExactly("a", "b", "c"));
            assertThat(r.rejected()).isEmpty();
            assertThat(r.checked()).isGreaterThan(1);
        }
    }
}
