package org.blkdebug.engine.format.qcow2;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.FileNode;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;

/**
 * Making a new image as {@code qemu-img create -f qcow2} does (QEMU's qcow2_co_create): a
 * minimal header and refcount table, opened through the driver, the first three clusters
 * allocated, the full header written, then resized to the asked size. Because the driver places
 * clusters as QEMU's does, the file is byte for byte the one qemu-img 7.2 makes.
 */
public final class Qcow2Create {
    /**
     * What {@code -o} may set.
     *
     * @param version       2 (compat=0.10) or 3 (compat=1.1, the default)
     * @param preallocation off, metadata, falloc or full
     * @param backingFile   the name stored in the header (relative to the image), or null
     * @param backingFormat the backing format stored in the header, or null
     * @param dataFile      an external data file to create (its name is stored as given), or null
     */
    public record Options(int version, int clusterSize, boolean extendedL2, int refcountBits,
                          boolean lazyRefcounts, String preallocation, String backingFile, String backingFormat,
                          String dataFile) {
        public static final Options DEFAULTS = new Options(3, 65536, false, 16, false, "off", null, null, null);
    }

    private Qcow2Create() {
    }

    /** Creates (or overwrites) {@code filename}; errors carry qemu-img's message. */
    public static void create(String filename, long size, Options o) throws OpenException {
        validate(size, o);
        int clusterSize = o.clusterSize();
        try (FileChannel ch = FileChannel.open(Path.of(filename), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] header = new byte[clusterSize];
            Entries.putInt(header, 0, 0x514649fb);
            Entries.putInt(header, 4, o.version());
            Entries.putInt(header, 20, Integer.numberOfTrailingZeros(clusterSize));
            Entries.putLong(header, 48, clusterSize);
            Entries.putInt(header, 56, 1);
            Entries.putInt(header, 96, Integer.numberOfTrailingZeros(o.refcountBits()));
            Entries.putInt(header, 100, HeaderWriter.HEADER_SIZE);
            if (o.lazyRefcounts()) {
                Entries.putLong(header, 80, Qcow2State.COMPAT_LAZY_REFCOUNTS);
            }
            long incompatible = o.extendedL2() ? Qcow2State.INCOMPAT_EXTL2 : 0;
            if (o.dataFile() != null) {
                incompatible |= Qcow2State.INCOMPAT_DATA_FILE;
            }
            Entries.putLong(header, 72, incompatible);
            ch.write(java.nio.ByteBuffer.wrap(header), 0);
            byte[] reftable = new byte[2 * clusterSize];
            Entries.putLong(reftable, 0, 2L * clusterSize);
            ch.write(java.nio.ByteBuffer.wrap(reftable), clusterSize);
        } catch (IOException e) {
            throw new OpenException("Could not create '" + filename + "': " + Errno.message(Errno.of(e)));
        }
        RequestTracker tracker = new RequestTracker();
        FileNode file = new FileNode(FileBackend.open(filename, false), false);
        file.configure(true, false); // BDRV_O_NO_FLUSH while the image is made
        FileNode data = null;
        if (o.dataFile() != null) {
            try (FileChannel ch = FileChannel.open(Path.of(o.dataFile()), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.force(false);
            } catch (IOException e) {
                throw new OpenException("Could not create '" + o.dataFile() + "': " + Errno.message(Errno.of(e)));
            }
            data = new FileNode(FileBackend.open(o.dataFile(), false), false);
            data.configure(true, false);
        }
        Node dataNode = data;
        Qcow2Node node = Qcow2Node.open(file, new Qcow2Node.Children() {
            @Override
            public Node dataFile() {
                return dataNode;
            }

            @Override
            public Node openDataFile(String name) throws OpenException {
                throw new OpenException("'data-file' is required for this image");
            }
        }, Qcow2Options.DEFAULTS, false, true, tracker, Diagnostics.SILENT);
        Request r = tracker.begin(Operation.WRITE, 0, 0, null);
        try {
            Qcow2State s = node.state();
            s.lock.lock(r);
            try {
                long ret = ClusterAllocation.allocClusters(s, r, 3L * clusterSize);
                if (ret < 0) {
                    throw new OpenException("Could not allocate clusters for qcow2 header and refcount table: "
                            + Errno.message((int) -ret));
                }
                s.imageDataFile = o.dataFile();
                int r2 = HeaderWriter.update(s, r);
                if (r2 < 0) {
                    throw new OpenException("Could not update qcow2 header: " + Errno.message(-r2));
                }
            } finally {
                s.lock.unlock();
            }
            try {
                Truncate.truncate(s, r, size, o.preallocation(), 0);
            } catch (BlockException e) {
                throw new OpenException("Could not resize image: " + e.getMessage());
            }
            if (o.backingFile() != null) {
                s.lock.lock(r);
                try {
                    s.imageBackingFile = o.backingFile();
                    s.imageBackingFormat = o.backingFormat();
                    int ret = HeaderWriter.update(s, r);
                    if (ret < 0) {
                        throw new OpenException("Could not assign backing file '" + o.backingFile()
                                + "' with format '" + o.backingFormat() + "': " + Errno.message(-ret));
                    }
                } finally {
                    s.lock.unlock();
                }
            }
        } finally {
            tracker.end(r);
            try {
                node.close();
            } catch (BlockException e) {
                // the image is complete once the caches are written; a close error changes nothing
            }
        }
    }

    private static void validate(long size, Options o) throws OpenException {
        if (size % 512 != 0) {
            throw new OpenException("Image size must be a multiple of 512 bytes");
        }
        if (o.extendedL2() && o.version() < 3) {
            throw new OpenException("Extended L2 entries are only supported with compatibility level 1.1 and above "
                    + "(use version=v3 or greater)");
        }
        int bits = Integer.numberOfTrailingZeros(o.clusterSize());
        if (bits < 9 || bits > 21 || (1 << bits) != o.clusterSize()) {
            throw new OpenException("Cluster size must be a power of two between 512 and 2048k");
        }
        if (o.extendedL2() && o.clusterSize() < 512 * 32) {
            throw new OpenException("Extended L2 entries are only supported with cluster sizes of at least 16384 bytes");
        }
        if (o.backingFile() != null && !o.preallocation().equals("off") && !o.extendedL2()) {
            throw new OpenException("Backing file and preallocation can only be used at the same time if "
                    + "extended_l2 is on");
        }
        if (o.backingFormat() != null && o.backingFile() == null) {
            throw new OpenException("Backing format cannot be used without backing file");
        }
        if (o.version() < 3 && o.lazyRefcounts()) {
            throw new OpenException("Lazy refcounts only supported with compatibility level 1.1 and above "
                    + "(use version=v3 or greater)");
        }
        if (o.refcountBits() > 64 || Integer.bitCount(o.refcountBits()) != 1) {
            throw new OpenException("Refcount width must be a power of two and may not exceed 64 bits");
        }
        if (o.dataFile() != null && o.version() < 3) {
            throw new OpenException("External data files are only supported with compatibility level 1.1 and "
                    + "above (use version=v3 or greater)");
        }
        if (o.version() < 3 && o.refcountBits() != 16) {
            throw new OpenException("Different refcount widths than 16 bits require compatibility level 1.1 or "
                    + "above (use version=v3 or greater)");
        }
    }
}
