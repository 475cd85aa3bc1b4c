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
            return delegate.provider().newFileChannel(real, options, attrs);
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
            return delegate.provider().newAsynchronousFileChannel(real, options, executor, attrs);
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
        delegate.provider().newFileChannel(real, probe, attrs).close();
        Path created = key(real);
        return files.acquire(created, fileKey(created), () -> openDevice(created, r));
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

    private static DeviceFile openDevice(Path real, FileRules r) throws IOException {
        boolean writable = Files.isWritable(real);
        // No disk cache under a file's device: as with the OS's page cache, what a file holds is
        // visible at once to every reader of the real file
        BlkDebug.Builder b = BlkDebug.builder().image(real.toString()).cache(r.cache()).readOnly(!writable)
                .volatileCache(false);
        if (r.config() != null) {
            b.config(r.config());
        }
        b.customEvent(r.customEvents());
        r.rulesOf(Rule.InjectError.class).forEach(b::injectError);
        r.rulesOf(Rule.SetState.class).forEach(b::setState);
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
        Path key = nameKey(real);
        delegate.provider().delete(real);
        files.unlinked(key);
    }

    private void deleteIfExists(Path real) throws IOException {
        try {
            delete(real);
        } catch (NoSuchFileException e) {
            // already gone: DELETE_ON_CLOSE does not mind
        }
    }

    void move(Path source, Path target, CopyOption... options) throws IOException {
        Path from = nameKey(source);
        delegate.provider().move(source, target, options);
        files.renamed(from, nameKey(target));
    }

    /** A rename into another blkdebug file system: the file leaves this one and replaces the name there. */
    void moveOut(Path source, BlkDebugFileSystem target, Path targetReal, CopyOption... options) throws IOException {
        Path from = nameKey(source);
        delegate.provider().move(source, targetReal, options);
        files.unlinked(from);
        target.files.unlinked(nameKey(targetReal));
    }

    /** A copy replaces the target's file (the JDK deletes it first), so its old device goes. */
    void copy(Path source, Path target, CopyOption... options) throws IOException {
        delegate.provider().copy(source, target, options);
        files.unlinked(nameKey(target));
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
