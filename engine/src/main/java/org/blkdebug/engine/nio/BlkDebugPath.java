package org.blkdebug.engine.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/**
 * A path of a {@link BlkDebugFileSystem}: a default-file-system path under another provider, so
 * that {@link java.nio.file.Files} sends its operations to {@link BlkDebugFileSystemProvider}.
 * Names, roots and resolution are the default file system's, 1:1.
 */
final class BlkDebugPath implements Path {
    private final BlkDebugFileSystem fs;
    private final Path delegate;

    BlkDebugPath(BlkDebugFileSystem fs, Path delegate) {
        this.fs = fs;
        this.delegate = Objects.requireNonNull(delegate);
    }

    /** The default-file-system path behind {@code p}; a path of another provider is a mismatch. */
    static Path unwrap(Path p) {
        if (p instanceof BlkDebugPath b) {
            return b.delegate;
        }
        throw new ProviderMismatchException("not a blkdebug path: " + p);
    }

    Path delegate() {
        return delegate;
    }

    private Path wrap(Path p) {
        return p == null ? null : new BlkDebugPath(fs, p);
    }

    @Override
    public BlkDebugFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return delegate.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(delegate.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(delegate.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(delegate.getParent());
    }

    @Override
    public int getNameCount() {
        return delegate.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(delegate.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof BlkDebugPath b && b.fs == fs && delegate.startsWith(b.delegate);
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof BlkDebugPath b && b.fs == fs && delegate.endsWith(b.delegate);
    }

    @Override
    public Path normalize() {
        return wrap(delegate.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(delegate.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(delegate.relativize(unwrap(other)));
    }

    /** {@code blkdebug:///abs/path}, which {@link java.nio.file.Path#of(URI)} turns back into this path. */
    @Override
    public URI toUri() {
        return URI.create(BlkDebugFileSystemProvider.SCHEME + "://" + delegate.toAbsolutePath().toUri().getRawPath());
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return wrap(delegate.toRealPath(options));
    }

    /** Watch keys report default-file-system paths: the watch service is the default one. */
    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        return delegate.register(watcher, events, modifiers);
    }

    @Override
    public int compareTo(Path other) {
        return delegate.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlkDebugPath b && b.fs == fs && b.delegate.equals(delegate);
    }

    @Override
    public int hashCode() {
        return delegate.hashCode();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
