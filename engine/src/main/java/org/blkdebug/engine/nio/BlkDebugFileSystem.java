package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
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
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Rule;

/**
 * The default file system with blkdebug under chosen files. Paths are the default file system's,
 * 1:1; a file whose path (relative to {@link #root()}) matches a {@link FileRules} glob is opened
 * through a blkdebug device over the real file, with those rules; every other operation is the
 * default file system's. Obtain one from {@link BlkDebugFileSystems}.
 *
 * <p>All channels on one file share its device while any is open ({@link #device(Path)}); the
 * last close closes it, so a reopened file starts again in state 1 with fresh rules.
 *
 * <p>Closing the file system closes the channels it opened.
 */
public final class BlkDebugFileSystem extends FileSystem {
    private final BlkDebugFileSystemProvider provider;
    private final FileSystem delegate;
    private final Path root;
    private final List<FileRules> rules;
    private final List<PathMatcher> matchers;
    private final OpenDevices devices = new OpenDevices();
    private final Set<BlkDebugFileChannel> channels = ConcurrentHashMap.newKeySet();
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
     * The device behind {@code path} while a channel on it is open. <b>Do not close it</b>: the
     * last channel does.
     */
    public Optional<Device> device(Path path) throws IOException {
        return devices.get(key(BlkDebugPath.unwrap(path)));
    }

    /** Waits until a channel on {@code path} is open (e.g. by the code under test); empty on timeout. */
    public Optional<Device> awaitDevice(Path path, Duration timeout) throws IOException, InterruptedException {
        return devices.await(key(BlkDebugPath.unwrap(path)), timeout);
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

    FileChannel newFileChannel(Path real, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        ensureOpen();
        FileRules r = rulesFor(real);
        if (r == null) {
            return delegate.provider().newFileChannel(real, options, attrs);
        }
        // The default provider creates and checks the file, so CREATE_NEW, permissions and their
        // exceptions are the JDK's; truncation goes through the device, deletion waits for close.
        Set<OpenOption> probe = new HashSet<>(options);
        probe.remove(StandardOpenOption.TRUNCATE_EXISTING);
        probe.remove(StandardOpenOption.DELETE_ON_CLOSE);
        delegate.provider().newFileChannel(real, probe, attrs).close();
        Path key = key(real);
        DeviceFile file = devices.acquire(key, () -> openDevice(key, r));
        boolean deleteOnClose = options.contains(StandardOpenOption.DELETE_ON_CLOSE);
        BlkDebugFileChannel ch;
        try {
            ch = new BlkDebugFileChannel(file, options, c -> closed(c, key, file, deleteOnClose));
        } catch (IOException | RuntimeException e) {
            devices.release(key, file);
            throw e;
        }
        channels.add(ch);
        return ch;
    }

    /**
     * Real files are keyed by their real path, so two names of one file share its device; a file
     * that does not exist yet (awaitDevice) by its real parent and name.
     */
    private static Path key(Path real) throws IOException {
        Path abs = real.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            return abs.toRealPath();
        }
        Path parent = abs.getParent();
        return parent != null && Files.exists(parent) ? parent.toRealPath().resolve(abs.getFileName()) : abs;
    }

    private static Device openDevice(Path real, FileRules r) throws IOException {
        BlkDebug.Builder b = BlkDebug.builder().image(real.toString()).cache(r.cache())
                .readOnly(!Files.isWritable(real));
        if (r.config() != null) {
            b.config(r.config());
        }
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
        return dev;
    }

    private void closed(BlkDebugFileChannel ch, Path key, DeviceFile file, boolean delete) throws IOException {
        channels.remove(ch);
        devices.release(key, file);
        if (delete) {
            Files.deleteIfExists(key);
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
        for (BlkDebugFileChannel ch : List.copyOf(channels)) {
            try {
                ch.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
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
