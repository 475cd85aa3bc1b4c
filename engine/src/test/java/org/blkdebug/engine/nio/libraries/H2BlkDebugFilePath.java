package org.blkdebug.engine.nio.libraries;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.h2.store.fs.FilePath;

/**
 * H2's public file-system plug-in ({@link FilePath}, registered with {@link FilePath#register})
 * for the {@code blkdebug:} scheme: a database URL {@code jdbc:h2:blkdebug:/dir/db} puts every
 * file H2 opens on the open blkdebug file system whose root is above {@code /dir}, through
 * {@code java.nio.file} only. This is what a user writes to run H2 under blkdebug; H2 itself is
 * unmodified.
 */
final class H2BlkDebugFilePath extends FilePath {
    static final String SCHEME = "blkdebug";

    /** Registers the scheme with H2 once per JVM. */
    static void register() {
        Registered.DONE.hashCode();
    }

    private enum Registered {
        DONE;

        Registered() {
            FilePath.register(new H2BlkDebugFilePath());
        }
    }

    private Path path() {
        String p = name.substring(SCHEME.length() + 1);
        try {
            return Path.of(new URI(SCHEME, null, p, null));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    private static H2BlkDebugFilePath of(Path p) {
        H2BlkDebugFilePath f = new H2BlkDebugFilePath();
        f.name = SCHEME + ":" + p;
        return f;
    }

    @Override
    public H2BlkDebugFilePath getPath(String path) {
        H2BlkDebugFilePath f = new H2BlkDebugFilePath();
        f.name = path.startsWith(SCHEME + ":") ? path : SCHEME + ":" + path;
        return f;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public long size() {
        try {
            return Files.exists(path()) ? Files.size(path()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void moveTo(FilePath newName, boolean atomicReplace) {
        try {
            Path to = ((H2BlkDebugFilePath) newName).path();
            if (atomicReplace) {
                Files.move(path(), to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.move(path(), to);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean createFile() {
        try {
            Files.createFile(path());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean exists() {
        return Files.exists(path());
    }

    @Override
    public void delete() {
        try {
            Files.deleteIfExists(path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<FilePath> newDirectoryStream() {
        List<FilePath> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(path())) {
            s.forEach(p -> out.add(of(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public FilePath toRealPath() {
        try {
            return Files.exists(path()) ? of(path().toRealPath()) : of(path().toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public FilePath getParent() {
        Path p = path().getParent();
        return p == null ? null : of(p);
    }

    @Override
    public boolean isDirectory() {
        return Files.isDirectory(path());
    }

    @Override
    public boolean isRegularFile() {
        return Files.isRegularFile(path());
    }

    @Override
    public boolean isAbsolute() {
        return path().isAbsolute();
    }

    @Override
    public long lastModified() {
        try {
            return Files.exists(path()) ? Files.getLastModifiedTime(path()).toMillis() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean canWrite() {
        return Files.isWritable(path());
    }

    @Override
    public void createDirectory() {
        try {
            Files.createDirectories(path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean setReadOnly() {
        return path().toFile().setReadOnly();
    }

    /** {@code mode}: "r", "rw", "rws" or "rwd", as {@link java.io.RandomAccessFile}. */
    @Override
    public FileChannel open(String mode) throws IOException {
        Set<StandardOpenOption> opts = EnumSet.of(StandardOpenOption.READ);
        if (mode.startsWith("rw")) {
            opts.add(StandardOpenOption.WRITE);
            opts.add(StandardOpenOption.CREATE);
        }
        if (mode.equals("rws")) {
            opts.add(StandardOpenOption.SYNC);
        } else if (mode.equals("rwd")) {
            opts.add(StandardOpenOption.DSYNC);
        }
        return FileChannel.open(path(), opts);
    }

    @Override
    public InputStream newInputStream() throws IOException {
        return Files.newInputStream(path());
    }

    @Override
    public OutputStream newOutputStream(boolean append) throws IOException {
        return append
                ? Files.newOutputStream(path(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newOutputStream(path());
    }
}
