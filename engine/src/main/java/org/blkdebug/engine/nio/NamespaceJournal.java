package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The directory entries a crash could still lose: every create, delete and rename made through
 * the file system, until each directory it changed has been fsynced since
 * ({@code FileChannel.open(dir, READ).force(true)}). A crash undoes the ones it does not keep,
 * newest first. What a delete or a rename replaced is kept meanwhile as a hard link (a copy where
 * links cannot be made) in an undo directory beside the file system's root, so undoing it brings
 * the file back; that directory goes when the file system closes.
 *
 * <p>Concurrency: {@link #lock} guards the pending list; never held across I/O but the small
 * link/copy of a backup.
 */
final class NamespaceJournal {
    /** One change of directory entries; {@code dirs} are the directories it changed. */
    sealed interface Op permits Created, Deleted, Renamed {
        long seq();

        List<Path> dirs();

        /** One line for listings: {@code create a.tmp}, {@code rename a.tmp -> a.wal}. */
        String describe(Path root);
    }

    /** A file or directory came to be at {@code path} (replacing {@code replaced}'s backup, if any). */
    record Created(long seq, Path path, boolean directory, Path replaced) implements Op {
        @Override
        public List<Path> dirs() {
            return List.of(path.getParent());
        }

        @Override
        public String describe(Path root) {
            return (directory ? "mkdir " : "create ") + root.relativize(path);
        }
    }

    /** {@code path} was deleted; {@code backup} holds the file (null for a directory). */
    record Deleted(long seq, Path path, boolean directory, Path backup) implements Op {
        @Override
        public List<Path> dirs() {
            return List.of(path.getParent());
        }

        @Override
        public String describe(Path root) {
            return "delete " + root.relativize(path);
        }
    }

    /** {@code from} was renamed to {@code to}; {@code replaced} holds what {@code to} was, or null. */
    record Renamed(long seq, Path from, Path to, Path replaced) implements Op {
        @Override
        public List<Path> dirs() {
            return from.getParent().equals(to.getParent()) ? List.of(from.getParent())
                    : List.of(from.getParent(), to.getParent());
        }

        @Override
        public String describe(Path root) {
            return "rename " + root.relativize(from) + " -> " + root.relativize(to);
        }
    }

    /** An op and the directories not fsynced since it. */
    private record Pending(Op op, Set<Path> unsynced) {
    }

    private final Path root;
    private final LongSupplier order;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock, in order. */
    private final List<Pending> pending = new ArrayList<>();
    /** Guarded by lock; made on first use. */
    private Path undoDir;
    private long backups;

    NamespaceJournal(Path root, LongSupplier order) {
        this.root = root;
        this.order = order;
    }

    private void add(Op op) {
        lock.lock();
        try {
            pending.add(new Pending(op, new HashSet<>(op.dirs())));
        } finally {
            lock.unlock();
        }
    }

    void created(Path path, boolean directory, Path replaced) {
        add(new Created(order.getAsLong(), path, directory, replaced));
    }

    void deleted(Path path, boolean directory, Path backup) {
        add(new Deleted(order.getAsLong(), path, directory, backup));
    }

    void renamed(Path from, Path to, Path replaced) {
        add(new Renamed(order.getAsLong(), from, to, replaced));
    }

    /**
     * Keeps the file at {@code path} for a crash to bring back (a hard link, or a copy); null when
     * there is nothing there or it is a directory.
     */
    Path backup(Path path) throws IOException {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Path b;
        lock.lock();
        try {
            if (undoDir == null) {
                undoDir = makeUndoDir();
            }
            b = undoDir.resolve(Long.toString(++backups));
        } finally {
            lock.unlock();
        }
        try {
            Files.createLink(b, path);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(path, b, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return b;
    }

    /** Beside the root (same file system, so links work), else in the temp directory. */
    private Path makeUndoDir() throws IOException {
        Path parent = root.getParent();
        if (parent != null && Files.isWritable(parent)) {
            try {
                return Files.createTempDirectory(parent, ".blkdebug-undo-");
            } catch (IOException e) {
                // below
            }
        }
        return Files.createTempDirectory("blkdebug-undo-");
    }

    /** {@code dir} was fsynced: what changed it so far is durable there. */
    void dirSynced(Path dir) {
        List<Op> durable = new ArrayList<>();
        lock.lock();
        try {
            pending.removeIf(p -> {
                p.unsynced.remove(dir);
                if (p.unsynced.isEmpty()) {
                    durable.add(p.op);
                    return true;
                }
                return false;
            });
        } finally {
            lock.unlock();
        }
        for (Op op : durable) {
            dropBackups(op);
        }
    }

    private static void dropBackups(Op op) {
        Path b = switch (op) {
            case Created c -> c.replaced();
            case Deleted d -> d.backup();
            case Renamed r -> r.replaced();
        };
        if (b != null) {
            try {
                Files.deleteIfExists(b);
            } catch (IOException e) {
                // the undo directory goes at close anyway
            }
        }
    }

    /** The changes a crash could lose now, oldest first. */
    List<Op> volatileOps() {
        lock.lock();
        try {
            List<Op> out = new ArrayList<>(pending.size());
            pending.forEach(p -> out.add(p.op));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A crash: undoes {@code dropped} (some of {@link #volatileOps}) on the real directories,
     * newest first, and forgets everything.
     */
    void crash(List<Op> dropped) throws IOException {
        List<Op> undo = new ArrayList<>(dropped);
        undo.sort(Comparator.comparingLong(Op::seq).reversed());
        for (Op op : undo) {
            undo(op);
        }
        lock.lock();
        try {
            pending.clear();
        } finally {
            lock.unlock();
        }
    }

    private static void undo(Op op) throws IOException {
        switch (op) {
            case Created c -> {
                if (c.directory()) {
                    deleteTree(c.path());
                } else {
                    Files.deleteIfExists(c.path());
                }
                restore(c.replaced(), c.path());
            }
            case Deleted d -> {
                if (d.directory()) {
                    Files.createDirectories(d.path());
                } else {
                    restore(d.backup(), d.path());
                }
            }
            case Renamed r -> {
                if (Files.exists(r.to(), LinkOption.NOFOLLOW_LINKS) && !Files.exists(r.from(), LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(r.from().getParent());
                    Files.move(r.to(), r.from());
                }
                restore(r.replaced(), r.to());
            }
        }
    }

    /** Puts {@code backup} back at {@code path} (if there is one and nothing is there). */
    private static void restore(Path backup, Path path) throws IOException {
        if (backup == null || !Files.exists(backup)) {
            return;
        }
        Files.createDirectories(path.getParent());
        try {
            Files.createLink(path, backup);
        } catch (FileAlreadyExistsException e) {
            // something took the name again; a later undo frees it, or it stays
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(backup, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(x);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    /** The root, as a real path: the journal's paths are real too. */
    Path root() {
        return root;
    }

    /** The file system closed: the backups go. */
    void close() {
        Path dir;
        lock.lock();
        try {
            dir = undoDir;
            undoDir = null;
            pending.clear();
        } finally {
            lock.unlock();
        }
        if (dir != null) {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                // a leftover undo directory in the temp area is harmless
            }
        }
    }
}
