package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;

/**
 * file-posix's {@code raw_probe_alignment} under O_DIRECT ({@code cache.direct=on}: qemu-io's
 * {@code -t none}, {@code directsync}, {@code -n}): the request alignment the host needs, found on
 * the image file itself as QEMU finds it. NFS needs none; a block device says its logical block
 * size, XFS its minimum direct I/O size; anything else is asked by reading at offset 0 with
 * O_DIRECT, 1, 512, 1024, 2048 and 4096 bytes, the first that is not refused with EINVAL giving the
 * alignment — and 1, which means the read never reached the disk (a hole, an empty file, tmpfs),
 * is taken for "unknown" and becomes 4096. So on ext4 a fresh sparse image gets 4 KiB and one
 * whose first block is written 512 bytes; a file's alignment can change while it is in use, and is
 * probed again at each open, as QEMU does.
 *
 * <p>Java cannot issue an O_DIRECT read of 1 or 512 bytes ({@code ExtendedOpenOption.DIRECT}
 * checks the file system's block size itself), so libc's calls are made through the foreign
 * function API ({@link Libc}), only at open.
 * Without native access (JDK 21, {@code --enable-native-access} missing, not Linux) the alignment
 * is 1, as without O_DIRECT (docs/differences-from-qemu.md, D18).
 */
final class DirectIoAlignment {
    /** QEMU's max_align: MAX(MAX_BLOCKSIZE, host page size) on x86-64 Linux. */
    static final long MAX_ALIGN = 4096;
    private static final long[] ALIGNMENTS = {1, 512, 1024, 2048, 4096};
    private static final int O_RDONLY = 0;
    private static final int O_DIRECT = 040000;
    private static final int O_CLOEXEC = 02000000;
    private static final long NFS_SUPER_MAGIC = 0x6969;
    private static final long BLKSSZGET = 0x1268;
    /** {@code _IOR('X', 30, struct xfs_dioattr)}: XFS_IOC_DIOINFO. */
    private static final long XFS_IOC_DIOINFO = 0x800C581EL;
    /** struct statfs on 64-bit Linux (f_type is its first field). */
    private static final long STATFS_SIZE = 120;

    /** libc's calls, each taking the errno capture segment first. */
    private record Calls(Libc libc, MethodHandle open, MethodHandle pread, MethodHandle ioctl,
                         MethodHandle fstatfs, MethodHandle close) {
    }

    private static final class Holder {
        static final Calls CALLS = link();
    }

    private DirectIoAlignment() {
    }

    /**
     * The request alignment of {@code filename} under O_DIRECT, or 1 when it cannot be probed here.
     *
     * @throws OpenException QEMU's error when the file system refuses O_DIRECT, or no alignment works
     */
    static long probe(String filename) throws OpenException {
        Calls c = Holder.CALLS;
        if (c == null) {
            return 1;
        }
        Libc libc = c.libc();
        try (AutoCloseable arena = libc.arena()) {
            Object state = libc.allocate(arena, libc.captureSize, 8);
            Object path = libc.string(arena, filename);
            int fd = (int) c.open().invoke(state, path, O_RDONLY | O_DIRECT | O_CLOEXEC, 0);
            if (fd < 0) {
                throw openFailed(c, state, path, filename);
            }
            try {
                return probe(c, arena, state, fd);
            } finally {
                int ignored = (int) c.close().invoke(state, fd);
            }
        } catch (OpenException e) {
            throw e;
        } catch (Throwable e) {
            return 1; // the API is not as expected: as without O_DIRECT
        }
    }

    private static long probe(Calls c, AutoCloseable arena, Object state, int fd) throws Throwable {
        Libc libc = c.libc();
        Object statfs = libc.allocate(arena, STATFS_SIZE, 8);
        if ((int) c.fstatfs().invoke(state, fd, statfs) == 0 && libc.getLong(statfs, 0) == NFS_SUPER_MAGIC) {
            return 1; // dio_byte_aligned
        }
        long align = 0;
        Object word = libc.allocate(arena, 16, 8);
        if ((int) c.ioctl().invoke(state, fd, BLKSSZGET, word) >= 0) {
            align = libc.getInt(word, 0); // probe_logical_blocksize: a block device
        }
        if ((int) c.ioctl().invoke(state, fd, XFS_IOC_DIOINFO, word) >= 0) {
            align = libc.getInt(word, 4); // d_miniosz
        }
        if (align == 0) {
            Object buf = libc.allocate(arena, MAX_ALIGN, MAX_ALIGN);
            for (long a : ALIGNMENTS) {
                long n = (long) c.pread().invoke(state, fd, buf, a, 0L);
                // raw_is_io_aligned: only EINVAL says "misaligned"; other errors are the disk's
                if (n >= 0 || libc.getInt(state, libc.errnoOffset) != Errno.EINVAL) {
                    align = a != 1 ? a : MAX_ALIGN;
                    break;
                }
            }
        }
        if (align == 0) {
            throw new OpenException("Could not find working O_DIRECT alignment\nTry cache.direct=off");
        }
        return align;
    }

    /** qemu_open_internal's message: the file system's lack of O_DIRECT said plainly. */
    private static OpenException openFailed(Calls c, Object state, Object path, String filename) throws Throwable {
        int errno = c.libc().getInt(state, c.libc().errnoOffset);
        if (errno == Errno.EINVAL) {
            int fd = (int) c.open().invoke(state, path, O_RDONLY | O_CLOEXEC, 0);
            if (fd >= 0) {
                int ignored = (int) c.close().invoke(state, fd);
                return new OpenException("Could not open '" + filename + "': filesystem does not support O_DIRECT");
            }
        }
        return new OpenException("Could not open '" + filename + "': " + Errno.message(errno));
    }

    private static Calls link() {
        Libc libc = Libc.get();
        if (libc == null) {
            return null;
        }
        try {
            // open(const char *, int, ...) and ioctl(int, unsigned long, ...): variadic after two
            return new Calls(libc,
                    libc.function("open", true, 2, libc.i32, libc.ptr, libc.i32, libc.i32),
                    libc.function("pread", true, -1, libc.i64, libc.i32, libc.ptr, libc.i64, libc.i64),
                    libc.function("ioctl", true, 2, libc.i32, libc.i32, libc.i64, libc.ptr),
                    libc.function("fstatfs", true, -1, libc.i32, libc.i32, libc.ptr),
                    libc.function("close", true, -1, libc.i32, libc.i32));
        } catch (Throwable e) {
            return null;
        }
    }
}
