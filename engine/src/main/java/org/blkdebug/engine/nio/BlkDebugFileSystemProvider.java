package org.blkdebug.engine.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code blkdebug} URI scheme: {@code FileSystems.newFileSystem(URI.create("blkdebug:///dir"), env)}
 * opens a {@link BlkDebugFileSystem} rooted at {@code /dir} over the default file system.
 *
 * <p>{@code env} keys:
 * <ul>
 *   <li>{@code "rules"}: a {@link FileRules} or a collection of them, matched first, in order;</li>
 *   <li>{@code "glob:PATTERN"} or {@code "regex:PATTERN"}: the path of a blkdebug INI file for the
 *       files matching PATTERN (string-only environments), matched next, in key order.</li>
 * </ul>
 *
 * <p>One file system per root may be open at a time, as for zipfs; a path URI
 * ({@code blkdebug:///dir/a.wal}) belongs to the open file system with the longest root above it.
 * File contents go through blkdebug only by channels and streams: copy and move act on the real
 * files and see no rules, but a file's device follows a move and a deleted or replaced file's
 * device goes (see {@link BlkDebugFileSystem}).
 */
public final class BlkDebugFileSystemProvider extends FileSystemProvider {
    public static final String SCHEME = "blkdebug";

    private final FileSystemProvider delegate = FileSystems.getDefault().provider();
    /** Guards {@link #systems}; nothing blocking happens under it. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Path, BlkDebugFileSystem> systems = new HashMap<>();

    /** Public for {@link java.util.ServiceLoader}; use {@link BlkDebugFileSystems}. */
    public BlkDebugFileSystemProvider() {
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // ---- file systems -----------------------------------------------------------------------------

    @Override
    public BlkDebugFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        Path root = rootOf(uri);
        BlkDebugFileSystem fs = new BlkDebugFileSystem(this, FileSystems.getDefault(), root, rulesOf(env));
        lock.lock();
        try {
            if (systems.containsKey(root)) {
                throw new FileSystemAlreadyExistsException(uri.toString());
            }
            systems.put(root, fs);
        } finally {
            lock.unlock();
        }
        return fs;
    }

    @Override
    public BlkDebugFileSystem getFileSystem(URI uri) {
        Path p = rootOf(uri);
        lock.lock();
        try {
            BlkDebugFileSystem best = null;
            for (BlkDebugFileSystem fs : systems.values()) {
                if (p.startsWith(fs.rootPath())
                        && (best == null || fs.rootPath().getNameCount() > best.rootPath().getNameCount())) {
                    best = fs;
                }
            }
            if (best == null) {
                throw new FileSystemNotFoundException(uri.toString());
            }
            return best;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Path getPath(URI uri) {
        return getFileSystem(uri).getPath(rootOf(uri).toString());
    }

    void removed(BlkDebugFileSystem fs) {
        lock.lock();
        try {
            systems.remove(fs.rootPath(), fs);
        } finally {
            lock.unlock();
        }
    }

    private static Path rootOf(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
        }
        if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
            throw new IllegalArgumentException("URI has an authority component: " + uri);
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("URI path is not absolute: " + uri);
        }
        return Path.of(path).toAbsolutePath().normalize();
    }

    private static List<FileRules> rulesOf(Map<String, ?> env) {
        List<FileRules> out = new ArrayList<>();
        Object rules = env.get("rules");
        if (rules instanceof FileRules r) {
            out.add(r);
        } else if (rules instanceof Collection<?> c) {
            for (Object o : c) {
                if (!(o instanceof FileRules r)) {
                    throw new IllegalArgumentException("env \"rules\" holds a " + o.getClass().getName()
                            + ", not FileRules");
                }
                out.add(r);
            }
        } else if (rules != null) {
            throw new IllegalArgumentException("env \"rules\" must be FileRules or a collection of them");
        }
        for (Map.Entry<String, ?> e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().startsWith("glob:") || e.getKey().startsWith("regex:")) {
                out.add(FileRules.config(e.getKey(), String.valueOf(e.getValue())));
            }
        }
        return out;
    }

    private static BlkDebugFileSystem fs(Path p) {
        if (p instanceof BlkDebugPath b) {
            return b.getFileSystem();
        }
        throw new java.nio.file.ProviderMismatchException("not a blkdebug path: " + p);
    }

    private static Path real(Path p) {
        return BlkDebugPath.unwrap(p);
    }

    // ---- file contents: through blkdebug where a glob matches --------------------------------------

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return fs(path).newFileChannel(real(path), options, attrs);
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
                                                              ExecutorService executor, FileAttribute<?>... attrs)
            throws IOException {
        return fs(path).newAsynchronousFileChannel(real(path), options, executor, attrs);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    // ---- everything else: the default provider's ---------------------------------------------------

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        BlkDebugFileSystem fs = fs(dir);
        DirectoryStream<Path> ds = delegate.newDirectoryStream(real(dir),
                p -> filter.accept(new BlkDebugPath(fs, p)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> it = ds.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Path next() {
                        return new BlkDebugPath(fs, it.next());
                    }
                };
            }

            @Override
            public void close() throws IOException {
                ds.close();
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        fs(dir).createDirectory(real(dir), attrs); // a new directory entry, for the crash model
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        delegate.createSymbolicLink(real(link), real(target), attrs);
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        delegate.createLink(real(link), real(existing));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return new BlkDebugPath(fs(link), delegate.readSymbolicLink(real(link)));
    }

    // ---- namespace changes: the default provider's, and the file system's devices follow ------------

    @Override
    public void delete(Path path) throws IOException {
        fs(path).delete(real(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        fs(target).copy(real(source), real(target), options);
    }

    /** A rename within one file system takes the file's device along; across two, it leaves one and replaces in the other. */
    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        BlkDebugFileSystem from = fs(source);
        BlkDebugFileSystem to = fs(target);
        if (from == to) {
            from.move(real(source), real(target), options);
        } else {
            from.moveOut(real(source), to, real(target), options);
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return path.equals(path2) || delegate.isSameFile(real(path), real(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return delegate.isHidden(real(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return delegate.getFileStore(real(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        delegate.checkAccess(real(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return delegate.getFileAttributeView(real(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        return delegate.readAttributes(real(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        return delegate.readAttributes(real(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        delegate.setAttribute(real(path), attribute, value, options);
    }
}
