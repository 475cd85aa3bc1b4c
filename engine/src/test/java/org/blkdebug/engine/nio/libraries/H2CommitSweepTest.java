package org.blkdebug.engine.nio.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.FailEach;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.explore.Summary;
import org.blkdebug.engine.nio.BlkDebugFileSystem;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 (2.3.232, unmodified) swept with fail-each over one commit: every request its database file
 * sees from the commit on (the {@code INSERT}, then closing the database) fails in turn, once,
 * and recovery on a clean file system must find the earlier commits and the new one whole or not
 * at all, and, if the commit was acknowledged, whole. docs/explore.md states what it found.
 */
@Timeout(300)
class H2CommitSweepTest {
    private static final CustomEvent ARM = new CustomEvent("arm");

    @TempDir
    Path dir;

    @BeforeAll
    static void registerTheFilePath() {
        H2BlkDebugFilePath.register();
    }

    private static String url(Path d) {
        return "jdbc:h2:" + H2BlkDebugFilePath.SCHEME + ":" + d.resolve("db") + ";FILE_LOCK=FS";
    }

    private static void sql(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** What one run saw: acknowledged or not, what recovery found (or why it could not). */
    record Outcome(boolean acknowledged, String recovered) {
    }

    private static Outcome run(Run run, Path d) throws Exception {
        Files.createDirectories(d);
        Rule.InjectError rule = run.failRule();
        boolean acknowledged = false;
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(d,
                rule == null ? FileRules.of("*.mv.db", new Rule.SetState(ARM, 0, 1)) : FileRules.of("*.mv.db", rule))) {
            Connection c = DriverManager.getConnection(url(d));
            try {
                sql(c, "SET WRITE_DELAY 0", "CREATE TABLE t(id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
                Device dev = fs.device(fs.getPath(d.resolve("db.mv.db").toString())).orElseThrow();
                dev.setListener(run.listener(null)); // so the run hears which request its rule failed
                dev.event(ARM); // from here on, the run's rule counts the file's requests
                try {
                    sql(c, "INSERT INTO t VALUES (3), (4)");
                    acknowledged = true;
                } catch (SQLException e) {
                    // not acknowledged: no promise
                }
            } finally {
                try {
                    c.close();
                } catch (SQLException e) {
                    // a database that failed a write closes with the same error
                }
            }
        }
        return new Outcome(acknowledged, recover(d));
    }

    /** The ids a reopened database finds, or the error it gives. */
    private static String recover(Path d) {
        List<Integer> ids = new ArrayList<>();
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(d, FileRules.of("*.mv.db"));
             Connection c = DriverManager.getConnection(url(d));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            return ids.toString();
        } catch (Exception e) {
            return "cannot recover: " + e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    @Test
    void everyFailedRequestOfACommitLeavesTheDatabaseWholeOrOneCommitBehind() throws Exception {
        sweep(FailEach.everyRequest().withEvent(ARM));
    }

    @Test
    void aDiskThatFailsForGoodFromAnyRequestOfACommitOnLeavesItWholeOrOneCommitBehind() throws Exception {
        sweep(FailEach.everyRequest().withEvent(ARM).withPersistent(true));
    }

    /**
     * ./test sweeps the first runs (the commit's own request and the start of the close); all of
     * them with {@code -Dexplore.full=true} (about 60 runs, 8 s here).
     */
    private static final int RUNS = Boolean.getBoolean("explore.full") ? Integer.MAX_VALUE : 10;

    private void sweep(FailEach axis) throws Exception {
        Explorer ex = Explorer.builder().failEach(axis).build();
        List<String> seen = new ArrayList<>();
        for (Run run; seen.size() < RUNS && (run = ex.next()) != null; ) {
            Outcome o = run(run, dir.resolve((axis.persistent() ? "p" : "once") + run.index()));
            boolean whole = o.recovered().equals("[1, 2, 3, 4]");
            boolean before = o.recovered().equals("[1, 2]");
            boolean failing = !(whole || before && !o.acknowledged());
            ex.done(run, failing, (o.acknowledged() ? "acknowledged" : "not acknowledged") + ", recovered " + o.recovered());
            seen.add(run.choice() + " " + (o.acknowledged() ? "ack" : "nack") + " " + o.recovered());
        }
        Summary s = ex.summary();
        System.out.println("H2CommitSweepTest: " + s.line() + "\n  " + String.join("\n  ", seen));
        assertThat(s.runs()).as("the base run and one per request of the commit and the close").isGreaterThan(3);
        assertThat(s.failures()).as(String.join("\n", seen)).isEmpty();
    }
}
