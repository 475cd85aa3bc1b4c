package org.blkdebug.engine.nio.libraries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.nio.BlkDebugFileSystem;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2 (2.3.232, unmodified) on the blkdebug file system through its public file-system plug-in
 * ({@link H2BlkDebugFilePath}): the database file {@code db.mv.db} is a device. Rules are armed
 * at the moment the test chooses by firing a custom event on the file's device.
 *
 * <p>H2 writes a commit without fsync (its documented durability model) and fsyncs at
 * {@code CHECKPOINT SYNC} and close; with {@code WRITE_DELAY 0} the committing thread writes,
 * otherwise H2's own background writer does.
 */
@Timeout(120) // a step that never resumes must not hang the build
class H2OnBlkDebugTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CustomEvent ARM = new CustomEvent("arm");

    @TempDir
    Path dir;

    @BeforeAll
    static void registerTheFilePath() {
        H2BlkDebugFilePath.register();
    }

    private String url() {
        return "jdbc:h2:" + H2BlkDebugFilePath.SCHEME + ":" + dir.resolve("db") + ";FILE_LOCK=FS";
    }

    private BlkDebugFileSystem fileSystem(Rule... rules) throws Exception {
        return BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.mv.db", rules));
    }

    private Device device(BlkDebugFileSystem fs) throws Exception {
        return fs.device(fs.getPath(dir.resolve("db.mv.db").toString())).orElseThrow();
    }

    private static void sql(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Recovery: the database reopened on a file system without rules, and the ids it finds. */
    private List<Integer> recoveredIds() throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (BlkDebugFileSystem fs = fileSystem();
             Connection c = DriverManager.getConnection(url());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    private static void closeAfterFailure(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // a database that failed a write closes with the same error
        }
    }

    @Test
    void createCommitAndReopen() throws Exception {
        try (BlkDebugFileSystem fs = fileSystem();
             Connection c = DriverManager.getConnection(url())) {
            sql(c, "CREATE TABLE t(id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
            assertThat(device(fs).length()).as("the database file is a device").isPositive();
        }
        assertThat(recoveredIds()).containsExactly(1, 2);
    }

    @Test
    void enospcOnACommitsWriteFailsItAndRecoveryFindsTheLastCommit() throws Exception {
        Rule enospc = Rule.InjectError.of(ARM).withIoType(IoType.WRITE).withErrno(Errno.ENOSPC).withOnce(true);
        try (BlkDebugFileSystem fs = fileSystem(enospc)) {
            Connection c = DriverManager.getConnection(url());
            sql(c, "SET WRITE_DELAY 0", "CREATE TABLE t(id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            device(fs).event(ARM); // the next write of the database file fails
            assertThatThrownBy(() -> sql(c, "INSERT INTO t VALUES (2)")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Failures.injectedErrno(e)).isEqualTo(Errno.ENOSPC));
            closeAfterFailure(c);
        }
        assertThat(recoveredIds()).containsExactly(1);
    }

    @Test
    void eioOnFlushToDiskFailsCheckpointSyncAndRecoveryFindsTheAcknowledgedCommits() throws Exception {
        Rule eio = Rule.InjectError.of(ARM).withIoType(IoType.FLUSH).withErrno(Errno.EIO).withOnce(true);
        try (BlkDebugFileSystem fs = fileSystem(eio)) {
            Connection c = DriverManager.getConnection(url());
            sql(c, "SET WRITE_DELAY 0", "CREATE TABLE t(id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            device(fs).event(ARM); // the next flush of the database file fails
            sql(c, "INSERT INTO t VALUES (2)"); // acknowledged: written, not synced (H2's model)
            assertThatThrownBy(() -> sql(c, "CHECKPOINT SYNC")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(Failures.injectedErrno(e)).isEqualTo(Errno.EIO));
            closeAfterFailure(c);
        }
        // no power was lost (issue 14 models that), so the written commit stands, whole
        assertThat(recoveredIds()).containsExactly(1, 2);
    }

    @Test
    void breakpointParksACommitInH2sBackgroundWriter() throws Exception {
        try (BlkDebugFileSystem fs = fileSystem()) {
            try (Connection c = DriverManager.getConnection(url())) {
                sql(c, "SET WRITE_DELAY 0", "CREATE TABLE t(id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)",
                        "SET WRITE_DELAY 50");
                Device dev = device(fs);
                dev.breakpoint(Event.WRITE_AIO, "C");
                try {
                    sql(c, "INSERT INTO t VALUES (2)"); // returns at once: H2's own thread writes it
                    assertThat(dev.awaitSuspended("C", WAIT)).as("H2's store thread at write_aio").isTrue();
                    assertThat(h2ThreadInABlkDebugWrite()).as("the parked thread is H2's").isTrue();
                } finally {
                    dev.removeBreakpoint("C"); // resumes it; H2's close waits for that thread
                }
            }
        }
        assertThat(recoveredIds()).containsExactly(1, 2);
    }

    /** H2 2.3 saves in a thread of its own named "H2-save". */
    private static boolean h2ThreadInABlkDebugWrite() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e ->
                e.getKey().getName().startsWith("H2-")
                        && Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("org.blkdebug.")));
    }
}
