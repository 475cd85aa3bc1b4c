package org.blkdebug.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Errno;

/** qemu-io's I/O buffers: pattern-filled, vectored ({@code create_iovec}) or from a file. */
final class Buffers {
    /** QEMU's BDRV_REQUEST_MAX_BYTES. */
    static final long MAX_REQUEST_BYTES = 2147483136L;

    private Buffers() {
    }

    static ByteBuffer filled(long length, int pattern) {
        ByteBuffer b;
        try {
            b = ByteBuffer.allocate(Math.toIntExact(length));
        } catch (OutOfMemoryError e) {
            // qemu-io aborts with qemu_memalign's text; we fail the command instead
            throw new CommandAborted("failed to allocate " + length + " bytes of memory");
        }
        if (pattern != 0) {
            java.util.Arrays.fill(b.array(), (byte) pattern);
        }
        return b;
    }

    /**
     * {@code create_iovec}: one buffer per length argument, each checked as qemu-io does.
     *
     * @throws ArgumentError with qemu-io's text
     */
    static ByteBuffer[] vector(GetoptCommand cmd, List<String> lengths, int pattern) {
        List<ByteBuffer> out = new ArrayList<>();
        long total = 0;
        for (String arg : lengths) {
            long len = cmd.number(arg);
            if (len > MAX_REQUEST_BYTES) {
                throw new ArgumentError("Argument '" + arg + "' exceeds maximum size " + MAX_REQUEST_BYTES);
            }
            if (total > MAX_REQUEST_BYTES - len) {
                throw new ArgumentError("The total number of bytes exceed the maximum size " + MAX_REQUEST_BYTES);
            }
            total += len;
            out.add(filled(len, pattern));
        }
        return out.toArray(ByteBuffer[]::new);
    }

    static long size(ByteBuffer[] bufs) {
        long n = 0;
        for (ByteBuffer b : bufs) {
            n += b.capacity();
        }
        return n;
    }

    /** True when every byte of {@code bufs} (from {@code skip}, {@code count} bytes) is {@code pattern}. */
    static boolean matches(ByteBuffer[] bufs, long skip, long count, int pattern) {
        long pos = 0;
        for (ByteBuffer b : bufs) {
            byte[] a = b.array();
            for (int i = 0; i < a.length; i++, pos++) {
                if (pos >= skip && pos < skip + count && (a[i] & 0xff) != pattern) {
                    return false;
                }
            }
        }
        return true;
    }

    static ByteBuffer joined(ByteBuffer[] bufs) {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size(bufs)));
        for (ByteBuffer b : bufs) {
            all.put(b.array());
        }
        return all.flip();
    }

    /**
     * {@code qemu_io_alloc_from_file}: the file's bytes, repeated to fill {@code length}.
     * Returns null after printing perror-style text to stderr.
     */
    static ByteBuffer fromFile(Console console, String file, long length) {
        byte[] data = new byte[Math.toIntExact(length)];
        int got = 0;
        try {
            Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            console.error(file + ": " + Errno.message(Errno.EINVAL)); // a NUL, or unencodable here
            return null;
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            while (got < data.length) {
                int n = in.read(data, got, data.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            console.error(file + ": " + Errno.message(Errno.ENOENT));
            return null;
        } catch (java.nio.file.AccessDeniedException e) {
            console.error(file + ": " + Errno.message(Errno.EACCES));
            return null;
        } catch (IOException e) {
            console.error(file + ": " + (Files.isDirectory(Path.of(file)) ? Errno.message(Errno.EISDIR) : e.getMessage()));
            return null;
        }
        if (got == 0 && length > 0) {
            console.error(file + ": file is empty");
            return null;
        }
        for (int i = got; i < data.length; i++) {
            data[i] = data[i - got];
        }
        return ByteBuffer.wrap(data);
    }
}
