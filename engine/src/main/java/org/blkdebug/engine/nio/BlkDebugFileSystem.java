package org.blkdebug.engine.nio;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.AccessMode;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.OpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Rule;

/**
 * The default file system with blkdebug under chosen files. Paths are the default file system's,
 * 1:1; a regular file whose path (relative to {@link #root()}) matches a {@link FileRules} glob
 * is opened through a blkdebug device over the real file, with those rules; directories, other
 * files and every other operation are the default file system's. Obtain one from
 * {@link BlkDebugFileSystems}.
 *
 * <p>Files behave as under an operating system ({@link FileTable} has the details): a file's
 * device is shared by all its channels and <b>outlives them</b>. Closing a channel does not
 * flush; what was written stays unflushed until the file is fsynced ({@code force}) through any
 * channel, now or later, and that fsync fires {@code flush_to_os} / {@code flush_to_disk} with
 * the file's rules and breakpoints. Rule state lasts as long as the device: until the file is
 * deleted and its last channel closed, or until this file system closes, which closes the
 * channels it opened and then every device (flushing, as an unmount does).
 *
 * <p>Power loss ({@link #crash}, {@link #crashStates}; docs/faults.md): each file's device has a
 * page cache (writes visible at once, undone by a crash until the file is fsynced, torn by page),
 * and creates, deletes and renames made through here stay undoable until their directory is
 * fsynced ({@link NamespaceJournal}).
 */
public final class BlkDebugFileSystem extends FileSystem {
    private final BlkDebugFileSystemProvider provider;
    private final FileSystem delegate;
    private final Path root;
    private final List<FileRules> rules;
    private final List<PathMatcher> matchers;
    private final FileTable files = new FileTable();
    private final Set<Closeable> channels = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;
    /** Numbers every volatile change: each file's writes and the directory entries' changes. */
    private final java.util.concurrent.atomic.AtomicLong order = new java.util.concurrent.atomic.AtomicLong();
    /** The directory entries a crash could lose ({@code null} until the root's real path is known). */
    private final NamespaceJournal journal;
    /**
     * Entry changes take the read side; a crash or a walk of the crash states the write side, so
     * they see the tree and the journal agree.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock namespace =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    BlkDebugFileSystem(BlkDebugFileSystemProvider provider, FileSystem delegate, Path root, List<FileRules> rules) {
        this.provider = provider;
        this.delegate = delegate;
        this.root = root;
        this.rules = List.copyOf(rules);
        List<PathMatcher> m = new ArrayList<>();
        for (FileRules r : this.rules) {
            m.add(delegate.getPathMatcher(r.syntaxAndPattern()));
        }
        this.matchers = List.copyOf(m);
        Path realRoot = root;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            // a root that does not exist yet: its name will do
        }
        this.journal = new NamespaceJournal(realRoot, order::incrementAndGet);
    }

    /** The directory globs are relative to; files outside it are never filtered. */
    public Path root() {
        return new BlkDebugPath(this, root);
    }

    public List<FileRules> rules() {
        return rules;
    }

    /**
     * The device behind {@code path} while it has one: from its first channel's open until the
     * file is deleted and closed, or this file system closes. <b>Do not close it</b>.
     */
    public Optional<Device> device(Path path) throws IOException {
        return files.device(key(BlkDebugPath.unwrap(path)));
    }

    /** Waits until {@code path} has a device (e.g. the code under test opened it); empty on timeout. */
    public Optional<Device> awaitDevice(Path path, Duration timeout) throws IOException, InterruptedException {
        return files.await(key(BlkDebugPath.unwrap(path)), timeout);
    }

    // ---- opening files ----------------------------------------------------------------------------

    /** The rules for {@code real}, or null when it is not filtered. The first matching glob wins. */
    FileRules rulesFor(Path real) {
        Path abs = real.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            return null;
        }
        Path rel = root.relativize(abs);
        for (int i = 0; i < matchers.size(); i++) {
            if (matchers.get(i).matches(rel)) {
                return rules.get(i);
            }
        }
        return null;
    }

    /**
     * The rules for a file that is to be opened through a device, or null for the default
     * provider: unfiltered paths, and directories, which are never devices (a directory fsync,
     * {@code FileChannel.open(dir, READ).force(true)}, reaches the real directory).
     */
    private FileRules deviceRulesFor(Path real) {
        FileRules r = rulesFor(real);
        return r == null || Files.isDirectory(real) ? null : r;
    }

    FileChannel newFileChannel(Path real, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        ensureOpen();
        FileRules r = deviceRulesFor(real);
        if (r == null) {
            if (Files.isDirectory(real)) {
                // a directory's fsync makes its entries durable in the crash model
                Path dir = real.toRealPath();
                return new SyncWatchingChannel(delegate.provider().newFileChannel(real, options, attrs),
                        () -> journal.dirSynced(dir));
            }
            return created(real, () -> delegate.provider().newFileChannel(real, options, attrs));
        }
        FileTable.OpenFile f = open(real, options, r, attrs);
        return track(f, real, options, onClose -> BlkDebugFileChannel.create(f.file, options, onClose));
    }

    AsynchronousFileChannel newAsynchronousFileChannel(Path real, Set<? extends OpenOption> options,
                                                       ExecutorService executor, FileAttribute<?>... attrs)
            throws IOException {
        ensureOpen();
        FileRules r = deviceRulesFor(real);
        if (r == null) {
            return created(real, () -> delegate.provider().newAsynchronousFileChannel(real, options, executor, attrs));
        }
        BlkDebugAsynchronousFileChannel.checkOptions(options);
        FileTable.OpenFile f = open(real, options, r, attrs);
        return track(f, real, options,
                onClose -> new BlkDebugAsynchronousFileChannel(f.file, options, executor, onClose));
    }

    @FunctionalInterface
    private interface ChannelMaker<C extends Closeable> {
        C make(BlkDebugFileChannel.OnClose onClose) throws IOException;
    }

    /**
     * A channel on {@code f}, closed with this file system. Its close gives the file back (never
     * a flush); with DELETE_ON_CLOSE it deletes the name first.
     */
    private <C extends Closeable> C track(FileTable.OpenFile f, Path real, Set<? extends OpenOption> options,
                                          ChannelMaker<C> maker) throws IOException {
        boolean delete = options.contains(StandardOpenOption.DELETE_ON_CLOSE);
        AtomicReference<Closeable> self = new AtomicReference<>();
        C ch;
        try {
            ch = maker.make(() -> {
                channels.remove(self.get());
                try {
                    if (delete) {
                        deleteIfExists(real);
                    }
                } finally {
                    files.release(f);
                }
            });
        } catch (IOException | RuntimeException e) {
            files.release(f);
            throw e;
        }
        self.set(ch);
        channels.add(ch);
        return ch;
    }

    /**
     * The file's device for one more channel. A file that has one is checked as {@code open(2)}
     * would check it (no descriptor is opened and closed: that would drop the process's locks on
     * it, see {@link OsLocks}); otherwise the default provider opens it once, so creation,
     * permissions and their exceptions are the JDK's. Truncation goes through the device,
     * deletion waits for close.
     */
    private FileTable.OpenFile open(Path real, Set<? extends OpenOption> options, FileRules r,
                                    FileAttribute<?>... attrs) throws IOException {
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        Path key = key(real);
        Object id = fileKey(key);
        FileTable.OpenFile live = id == null ? null : files.reopen(key, id);
        if (live != null) {
            try {
                if (write && options.contains(StandardOpenOption.CREATE_NEW)) {
                    throw new FileAlreadyExistsException(real.toString());
                }
                if (write) {
                    delegate.provider().checkAccess(real, AccessMode.READ, AccessMode.WRITE);
                } else {
                    delegate.provider().checkAccess(real, AccessMode.READ);
                }
            } catch (IOException | RuntimeException e) {
                files.release(live);
                throw e;
            }
            return live;
        }
        Set<OpenOption> probe = new HashSet<>(options);
        probe.remove(StandardOpenOption.TRUNCATE_EXISTING);
        probe.remove(StandardOpenOption.DELETE_ON_CLOSE);
        created(real, () -> delegate.provider().newFileChannel(real, probe, attrs)).close();
        Path created = key(real);
        return files.acquire(created, fileKey(created), () -> openDevice(created, r, order));
    }

    @FunctionalInterface
    private interface Opening<C> {
        C open() throws IOException;
    }

    /** Opens with {@code opening}; a file that did not exist before is a new directory entry. */
    private <C> C created(Path real, Opening<C> opening) throws IOException {
        namespace.readLock().lock();
        try {
            boolean existed = Files.exists(real, LinkOption.NOFOLLOW_LINKS);
            C c = opening.open();
            if (!existed) {
                journal.created(nameKey(real), false, null);
            }
            return c;
        } finally {
            namespace.readLock().unlock();
        }
    }

    /** A file's key in {@link #files}: its real path, so two names of one file share its device. */
    private static Path key(Path real) throws IOException {
        Path abs = real.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            return abs.toRealPath();
        }
        return nameKey(abs);
    }

    /**
     * The key of the name itself, its last component unresolved: what a delete or a rename acts
     * on (a symbolic link, not its target).
     */
    private static Path nameKey(Path real) throws IOException {
        Path abs = real.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        return parent != null && Files.exists(parent) ? parent.toRealPath().resolve(abs.getFileName()) : abs;
    }

    /** The identity of the file at {@code key} (its inode), or null when there is none. */
    private static Object fileKey(Path key) throws IOException {
        try {
            Object k = Files.readAttributes(key, BasicFileAttributes.class).fileKey();
            return k == null ? key : k;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static DeviceFile openDevice(Path real, FileRules r, java.util.concurrent.atomic.AtomicLong order)
            throws IOException {
        boolean writable = Files.isWritable(real);
        // The page cache, not a disk's: what a file holds is visible at once to every reader of
        // the real file, as under an OS; a crash undoes what no fsync made durable
        BlkDebug.Builder b = BlkDebug.builder().image(real.toString()).cache(r.cache()).readOnly(!writable)
                .pageCache(order::incrementAndGet);
        if (r.config() != null) {
            b.config(r.config());
        }
        b.customEvent(r.customEvents());
        r.rulesOf(Rule.InjectError.class).forEach(b::injectError);
        r.rulesOf(Rule.InjectDelay.class).forEach(b::injectDelay);
        r.rulesOf(Rule.SetState.class).forEach(b::setState);
        if (r.seed() != null) {
            b.seed(r.seed());
        }
        Device dev = b.open();
        try {
            for (Rule.Suspend s : r.rulesOf(Rule.Suspend.class)) {
                dev.breakpoint(s.event(), s.tag());
            }
        } catch (IOException | RuntimeException e) {
            dev.close();
            throw e;
        }
        return new DeviceFile(dev, new OsLocks(real, writable));
    }

    // ---- namespace changes: the file table follows them ------------------------------------------

    void delete(Path real) throws IOException {
        namespace.readLock().lock();
        try {
            Path key = nameKey(real);
            boolean dir = Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS);
            Path backup = journal.backup(real); // what a crash brings back
            delegate.provider().delete(real);
            journal.deleted(key, dir, backup);
            files.unlinked(key);
        } finally {
            namespace.readLock().unlock();
        }
    }

    private void deleteIfExists(Path real) throws IOException {
        try {
            delete(real);
        } catch (NoSuchFileException e) {
            // already gone: DELETE_ON_CLOSE does not mind
        }
    }

    void move(Path source, Path target, CopyOption... options) throws IOException {
        namespace.readLock().lock();
        try {
            Path from = nameKey(source);
            Path to = nameKey(target);
            Path replaced = from.equals(to) ? null : journal.backup(target);
            delegate.provider().move(source, target, options);
            journal.renamed(from, to, replaced);
            files.renamed(from, to);
        } finally {
            namespace.readLock().unlock();
        }
    }

    /** A rename into another blkdebug file system: the file leaves this one and replaces the name there. */
    void moveOut(Path source, BlkDebugFileSystem target, Path targetReal, CopyOption... options) throws IOException {
        Path from = nameKey(source);
        Path to = nameKey(targetReal);
        boolean dir = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
        Path backup = journal.backup(source);
        Path replaced = target.journal.backup(targetReal);
        delegate.provider().move(source, targetReal, options);
        journal.deleted(from, dir, backup);
        target.journal.created(to, dir, replaced);
        files.unlinked(from);
        target.files.unlinked(to);
    }

    void createDirectory(Path real, FileAttribute<?>... attrs) throws IOException {
        ensureOpen();
        namespace.readLock().lock();
        try {
            delegate.provider().createDirectory(real, attrs);
            journal.created(nameKey(real), true, null);
        } finally {
            namespace.readLock().unlock();
        }
    }

    /** A copy replaces the target's file (the JDK deletes it first), so its old device goes. */
    void copy(Path source, Path target, CopyOption... options) throws IOException {
        namespace.readLock().lock();
        try {
            Path to = nameKey(target);
            Path replaced = journal.backup(target);
            delegate.provider().copy(source, target, options);
            journal.created(to, Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS), replaced);
            files.unlinked(to);
        } finally {
            namespace.readLock().unlock();
        }
    }

    // ---- power loss (docs/faults.md) ---------------------------------------------------------------

    /** Decides one crash state of the file system, built as a directory; throwing rejects it. */
    @FunctionalInterface
    public interface StateCheck {
        void check(Path state, org.blkdebug.engine.crash.CrashChoice.Explicit choice) throws Exception;
    }

    /** What a crash now could lose, one line a change, numbered as {@code crash} numbers them. */
    public List<String> volatileChanges() throws IOException {
        namespace.writeLock().lock();
        try (FileSystemStates states = freeze(false, files.live())) {
            return states.describe();
        } finally {
            namespace.writeLock().unlock();
        }
    }

    /** The page-cache states of {@code live}'s files and the journal's entry changes, frozen. Write side held. */
    private FileSystemStates freeze(boolean torn, List<FileTable.OpenFile> live) throws IOException {
        List<FileSystemStates.File> fs = new ArrayList<>();
        try {
            for (FileTable.OpenFile f : live) {
                fs.add(new FileSystemStates.File(f.file.device().volatileStates(torn), f.fileKey, files.keyOf(f)));
            }
        } catch (IOException | RuntimeException e) {
            fs.forEach(f -> f.states().close());
            throw e;
        }
        return new FileSystemStates(journal.root(), fs, journal.volatileOps());
    }

    /**
     * Power loss for the whole file system: every file loses the writes no fsync of it made
     * durable, and every create, delete and rename not made durable by an fsync of its directory
     * is undone, except what {@code choice} keeps (changes numbered across files and directories
     * in the order they happened, as {@link #volatileChanges()} lists them; writes torn by 4 KiB
     * page). The real files under the root become that state; the file system closes (its
     * channels fail from now on). Returns the choice made explicit.
     *
     * @throws IllegalArgumentException when an explicit choice does not fit (nothing is lost)
     */
    public org.blkdebug.engine.crash.CrashChoice.Explicit crash(org.blkdebug.engine.crash.CrashChoice choice)
            throws IOException {
        ensureOpen();
        namespace.writeLock().lock();
        try {
            org.blkdebug.engine.crash.CrashChoice.Explicit made;
            List<FileTable.OpenFile> live = files.live();
            try (FileSystemStates states = freeze(true, live)) { // torn choices count pages
                made = choice.resolve(states.sizes());
                java.util.BitSet kept = states.kept(made);
                open = false;
                provider.removed(this);
                for (int f = 0; f < live.size(); f++) {
                    live.get(f).file.device().crash(states.fileChoice(f, kept));
                }
                journal.crash(states.droppedOps(kept));
            }
            for (Closeable ch : List.copyOf(channels)) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // the power is out: nothing to report
                }
            }
            try {
                files.closeAll();
            } catch (IOException e) {
                // crashed devices close without a flush; their lock channels may complain
            }
            journal.close();
            return made;
        } finally {
            namespace.writeLock().unlock();
        }
    }

    /**
     * Hands every distinct state a crash now could leave to {@code check}, each built as a fresh
     * directory holding the tree under the root in that state (removed afterwards); the file
     * system is left as it was. States are enumerated and sampled as a device's are
     * ({@link org.blkdebug.engine.crash.CrashStates}); entry changes wait meanwhile.
     */
    public org.blkdebug.engine.crash.CrashStates.Report crashStates(
            org.blkdebug.engine.crash.CrashStates.Options options, StateCheck check) throws IOException {
        ensureOpen();
        namespace.writeLock().lock();
        try (FileSystemStates states = freeze(options.torn(), files.live())) {
            return org.blkdebug.engine.crash.CrashStates.explore(states, options, (n, choice, kept) -> {
                Path dir = Files.createTempDirectory("blkdebug-fs-state-");
                try {
                    states.build(kept, dir);
                    check.check(dir, choice);
                } finally {
                    NamespaceJournal.deleteTree(dir);
                }
            });
        } finally {
            namespace.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (!open) {
            throw new ClosedFileSystemException();
        }
    }

    Path rootPath() {
        return root;
    }

    // ---- FileSystem -----------------------------------------------------------------------------

    @Override
    public BlkDebugFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        provider.removed(this);
        IOException first = null;
        for (Closeable ch : List.copyOf(channels)) {
            try {
                ch.close();
            } catch (IOException e) {
                first = add(first, e);
            }
        }
        try {
            files.closeAll();
        } catch (IOException e) {
            first = add(first, e);
        }
        journal.close(); // nothing is lost without a crash
        if (first != null) {
            throw first;
        }
    }

    private static IOException add(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public String getSeparator() {
        return delegate.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        ensureOpen();
        List<Path> out = new ArrayList<>();
        delegate.getRootDirectories().forEach(p -> out.add(new BlkDebugPath(this, p)));
        return out;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        ensureOpen();
        return delegate.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return delegate.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        ensureOpen();
        return new BlkDebugPath(this, delegate.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = delegate.getPathMatcher(syntaxAndPattern);
        return p -> p instanceof BlkDebugPath b && m.matches(b.delegate());
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return delegate.getUserPrincipalLookupService();
    }

    /** The default file system's: its keys report default-file-system paths. */
    @Override
    public WatchService newWatchService() throws IOException {
        ensureOpen();
        return delegate.newWatchService();
    }
}
