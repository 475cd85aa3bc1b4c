package org.blkdebug.engine.format.qcow2;

import java.nio.charset.StandardCharsets;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/**
 * Opening an image (QEMU's qcow2_do_open) with the metadata lock held: header, L1 table, caches,
 * {@code reftable_load}, extensions, data file, backing file name, snapshot table, and the repair
 * of an image left dirty. The I/O and checks come in QEMU's order, so a rule armed by
 * {@code none} fails the same read with the same message.
 */
final class Qcow2Open {
    private static final int MAGIC = 0x514649fb;
    private static final long MAX_REFTABLE_SIZE = 8L * 1024 * 1024;
    private static final long MAX_L1_SIZE = 32L * 1024 * 1024;

    private Qcow2Open() {
    }

    /** What the header says; the rest of the state is filled in as the open goes on. */
    private record Header(int version, long backingFileOffset, int backingFileSize, int clusterBits, long size,
                          int cryptMethod, int l1Size, long l1TableOffset, long refcountTableOffset,
                          int refcountTableClusters, int nbSnapshots, long snapshotsOffset,
                          long incompatible, long compatible, long autoclear, int refcountOrder,
                          int headerLength, int compressionType) {
    }

    static Qcow2State open(Node file, Request r, Qcow2Node.Children children, Qcow2Options opts, boolean readOnly,
                           boolean unmap, Diagnostics out) throws OpenException {
        byte[] h = new byte[HeaderWriter.HEADER_SIZE];
        int ret = ChildIo.pread(r, file, 0, h, 0, h.length);
        if (ret < 0) {
            throw new OpenException("Could not read qcow2 header: " + Errno.message(-ret));
        }
        if (Entries.getInt(h, 0) != MAGIC) {
            throw new OpenException("Image is not in qcow2 format");
        }
        int version = Entries.getInt(h, 4);
        if (version < 2 || version > 3) {
            throw new OpenException("Unsupported qcow2 version " + Integer.toUnsignedString(version));
        }
        int clusterBits = Entries.getInt(h, 20);
        if (clusterBits < 9 || clusterBits > 21) {
            throw new OpenException("Unsupported cluster size: 2^" + Integer.toUnsignedString(clusterBits));
        }
        int clusterSize = 1 << clusterBits;
        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = HeaderWriter.V2_HEADER_SIZE;
        if (version == 3) {
            incompatible = Entries.getLong(h, 72);
            compatible = Entries.getLong(h, 80);
            autoclear = Entries.getLong(h, 88);
            refcountOrder = Entries.getInt(h, 96);
            headerLength = Entries.getInt(h, 100);
            if (Integer.compareUnsigned(headerLength, 104) < 0) {
                throw new OpenException("qcow2 header too short");
            }
        }
        if (Integer.compareUnsigned(headerLength, clusterSize) > 0) {
            throw new OpenException("qcow2 header exceeds cluster size");
        }
        byte[] unknownFields = new byte[0];
        if (headerLength > HeaderWriter.HEADER_SIZE) {
            unknownFields = new byte[headerLength - HeaderWriter.HEADER_SIZE];
            ret = ChildIo.pread(r, file, HeaderWriter.HEADER_SIZE, unknownFields, 0, unknownFields.length);
            if (ret < 0) {
                throw new OpenException("Could not read unknown qcow2 header fields: " + Errno.message(-ret));
            }
        }
        long backingFileOffset = Entries.getLong(h, 8);
        if (Long.compareUnsigned(backingFileOffset, clusterSize) > 0) {
            throw new OpenException("Invalid backing file offset");
        }
        long extEnd = backingFileOffset != 0 ? backingFileOffset : clusterSize;
        int compressionType = headerLength > 104 ? h[104] & 0xff : Compression.ZLIB;
        if (compressionType != Compression.ZLIB) {
            // QEMU built with zstd accepts type 1; Java has no zstd: we refuse it (docs/qcow2.md)
            throw new OpenException("qcow2: unknown compression type: " + compressionType);
        }
        if ((incompatible & Qcow2State.INCOMPAT_COMPRESSION) != 0) {
            throw new OpenException("qcow2: Compression type incompatible feature bit must not be set");
        }
        if ((incompatible & ~Qcow2State.INCOMPAT_MASK) != 0) {
            byte[] table = Extensions.featureTable(file, r, headerLength, extEnd);
            throw new OpenException(Extensions.unsupported(table, incompatible & ~Qcow2State.INCOMPAT_MASK));
        }
        if ((incompatible & Qcow2State.INCOMPAT_CORRUPT) != 0 && !readOnly) {
            throw new OpenException("qcow2: Image is corrupt; cannot be opened read/write");
        }
        boolean extendedL2 = (incompatible & Qcow2State.INCOMPAT_EXTL2) != 0;
        if (extendedL2 && clusterSize / 32 < 512) {
            throw new OpenException("Unsupported subcluster size: " + clusterSize / 32);
        }
        if (Integer.compareUnsigned(refcountOrder, 6) > 0) {
            throw new OpenException("Reference count entry width too large; may not exceed 64 bits");
        }
        Layout layout = new Layout(clusterBits, extendedL2, refcountOrder);
        Qcow2State s = new Qcow2State(layout, file, out, readOnly);
        s.unknownHeaderFields = unknownFields;
        s.lock.lock(r); // held through the open, as QEMU's qcow2_open_entry holds it
        try {
            return openLocked(s, r, h, children, opts, readOnly, unmap);
        } finally {
            s.lock.unlock();
        }
    }

    private static Qcow2State openLocked(Qcow2State s, Request r, byte[] h, Qcow2Node.Children children,
                                         Qcow2Options opts, boolean readOnly, boolean unmap) throws OpenException {
        Node file = s.file;
        Layout layout = s.layout;
        int clusterBits = layout.clusterBits;
        int clusterSize = layout.clusterSize;
        int version = Entries.getInt(h, 4);
        long incompatible = version == 3 ? Entries.getLong(h, 72) : 0;
        long compatible = version == 3 ? Entries.getLong(h, 80) : 0;
        long autoclear = version == 3 ? Entries.getLong(h, 88) : 0;
        int headerLength = version == 3 ? Entries.getInt(h, 100) : HeaderWriter.V2_HEADER_SIZE;
        long backingFileOffset = Entries.getLong(h, 8);
        long extEnd = backingFileOffset != 0 ? backingFileOffset : clusterSize;
        int ret;
        s.qcowVersion = version;
        s.incompatibleFeatures = incompatible;
        s.compatibleFeatures = compatible;
        s.autoclearFeatures = autoclear;
        s.compressionType = headerLength > 104 ? h[104] & 0xff : Compression.ZLIB;
        s.cryptMethod = Entries.getInt(h, 32);
        if (s.cryptMethod != 0) {
            // QEMU would ask for the key secret; encryption is not supported here
            throw new OpenException(s.cryptMethod == 1 || s.cryptMethod == 2
                    ? "Parameter 'encrypt.key-secret' is required for cipher"
                    : "Unsupported encryption method " + s.cryptMethod);
        }
        long size = Entries.getLong(h, 24);
        s.totalBytes = size / 512 * 512;
        int reftableClusters = Entries.getInt(h, 56);
        s.refcountTableOffset = Entries.getLong(h, 48);
        s.refcountTableSize = reftableClusters << (clusterBits - 3);
        if (reftableClusters == 0) {
            throw new OpenException("Image does not contain a reference count table");
        }
        validateTable(s, s.refcountTableOffset, Integer.toUnsignedLong(reftableClusters), clusterSize,
                MAX_REFTABLE_SIZE, "Reference count table");
        int nbSnapshots = Entries.getInt(h, 60);
        long snapshotsOffset = Entries.getLong(h, 64);
        validateTable(s, snapshotsOffset, Integer.toUnsignedLong(nbSnapshots), 40, 40L * 65536, "Snapshot table");
        int l1Size = Entries.getInt(h, 36);
        long l1Offset = Entries.getLong(h, 40);
        validateTable(s, l1Offset, Integer.toUnsignedLong(l1Size), Entries.L1E_SIZE, MAX_L1_SIZE, "Active L1 table");
        s.l1Size = l1Size;
        s.l1TableOffset = l1Offset;
        long vmStateIndex = layout.sizeToL1(size);
        if (vmStateIndex > Integer.MAX_VALUE) {
            throw new OpenException("Image is too big");
        }
        s.l1VmStateIndex = (int) vmStateIndex;
        if (s.l1Size < s.l1VmStateIndex) {
            throw new OpenException("L1 table is too small");
        }
        s.l1Table = new long[s.l1Size];
        if (s.l1Size > 0) {
            byte[] buf = new byte[s.l1Size * Entries.L1E_SIZE];
            ret = ChildIo.pread(r, file, s.l1TableOffset, buf, 0, buf.length);
            if (ret < 0) {
                throw new OpenException("Could not read L1 table: " + Errno.message(-ret));
            }
            for (int i = 0; i < s.l1Size; i++) {
                s.l1Table[i] = Entries.getLong(buf, i * 8);
            }
        }
        s.options = opts;
        s.unmap = unmap;
        applyOptions(s, r, opts, unmap);
        ret = Refcounts.init(s, r);
        if (ret != 0) {
            throw new OpenException("Could not initialize refcount handling: " + Errno.message(-ret));
        }
        boolean updateHeader = Extensions.read(s, r, headerLength, extEnd);
        // the external data file
        Node dataFile = children.dataFile();
        if ((s.incompatibleFeatures & Qcow2State.INCOMPAT_DATA_FILE) != 0) {
            if (dataFile == null && s.imageDataFile != null) {
                dataFile = children.openDataFile(s.imageDataFile);
            }
            if (dataFile == null) {
                throw new OpenException("'data-file' is required for this image");
            }
            s.dataFile = dataFile;
        } else {
            if (dataFile != null) {
                throw new OpenException("'data-file' can only be set for images with an external data file");
            }
            if (s.dataFileIsRaw()) {
                throw new OpenException("data-file-raw requires a data file");
            }
        }
        if (backingFileOffset != 0) {
            int len = Entries.getInt(h, 16);
            if (Integer.compareUnsigned(len, (int) Math.min(1023, clusterSize - backingFileOffset)) > 0) {
                throw new OpenException("Backing file name too long");
            }
            byte[] name = new byte[len];
            ret = ChildIo.pread(r, file, backingFileOffset, name, 0, len);
            if (ret < 0) {
                throw new OpenException("Could not read backing file name: " + Errno.message(-ret));
            }
            int end = 0;
            while (end < len && name[end] != 0) {
                end++;
            }
            s.imageBackingFile = new String(name, 0, end, StandardCharsets.UTF_8);
        }
        try {
            s.snapshots = Snapshots.read(s, r, snapshotsOffset, nbSnapshots);
        } catch (Qcow2OpenException e) {
            throw new OpenException(e.getMessage());
        }
        updateHeader |= (s.autoclearFeatures & ~Qcow2State.AUTOCLEAR_MASK) != 0;
        updateHeader = updateHeader && !readOnly;
        if (updateHeader) {
            s.autoclearFeatures &= Qcow2State.AUTOCLEAR_MASK;
        }
        if (s.nbBitmaps > 0 && (s.autoclearFeatures & Qcow2State.AUTOCLEAR_BITMAPS) != 0 && !readOnly) {
            // QEMU loads persistent bitmaps and marks them in use; not supported here
            throw new OpenException("Persistent dirty bitmaps are not supported: open the image read-only");
        }
        if (updateHeader) {
            ret = HeaderWriter.update(s, r);
            if (ret < 0) {
                throw new OpenException("Could not update qcow2 header: " + Errno.message(-ret));
            }
        }
        if (!readOnly && (s.incompatibleFeatures & Qcow2State.INCOMPAT_DIRTY) != 0) {
            Check.Result res = new Check.Result();
            ret = Check.check(s, r, res, Check.FIX_ERRORS | Check.FIX_LEAKS);
            if (ret < 0 || res.checkErrors != 0) {
                if (ret >= 0) {
                    ret = -Errno.EIO;
                }
                throw new OpenException("Could not repair dirty image: " + Errno.message(-ret));
            }
        }
        return s;
    }

    /** qcow2_validate_table. */
    private static void validateTable(Qcow2State s, long offset, long entries, long entryLen, long maxSizeBytes,
                                      String name) throws OpenException {
        if (Long.compareUnsigned(entries, maxSizeBytes / entryLen) > 0) {
            throw new OpenException(name + " too large");
        }
        if (Long.compareUnsigned(Long.MAX_VALUE - entries * entryLen, offset) < 0
                || s.layout.offsetIntoCluster(offset) != 0) {
            throw new OpenException(name + " offset invalid");
        }
    }

    /**
     * qcow2_update_options: caches (written back and made anew when they exist), lazy refcounts,
     * overlap checks, discard pass-through.
     */
    static void applyOptions(Qcow2State s, Request r, Qcow2Options o, boolean unmap) throws OpenException {
        CacheSizes sizes = CacheSizes.of(s.layout, s.totalBytes, o);
        boolean lazy = o.lazyRefcounts() != null ? o.lazyRefcounts()
                : (s.compatibleFeatures & Qcow2State.COMPAT_LAZY_REFCOUNTS) != 0;
        if (lazy && s.qcowVersion < 3) {
            throw new OpenException("Lazy refcounts require a qcow2 image with at least qemu 1.1 compatibility level");
        }
        if (s.l2Cache != null) {
            int ret = s.l2Cache.flush(r);
            if (ret != 0) {
                throw new OpenException("Failed to flush the L2 table cache: " + Errno.message(-ret));
            }
        }
        if (s.refcountCache != null) {
            int ret = s.refcountCache.flush(r);
            if (ret != 0) {
                throw new OpenException("Failed to flush the refcount block cache: " + Errno.message(-ret));
            }
        }
        if (s.useLazyRefcounts && !lazy) {
            int ret = HeaderWriter.markClean(s, r);
            if (ret < 0) {
                throw new OpenException("Failed to disable lazy refcounts: " + Errno.message(-ret));
            }
        }
        String template = o.overlapCheck() == null ? "cached" : o.overlapCheck();
        int overlap = switch (template) {
            case "none" -> 0;
            case "constant" -> Overlap.CONSTANT;
            case "cached" -> Overlap.CACHED;
            case "all" -> Overlap.ALL;
            default -> throw new OpenException("Unsupported value '" + template + "' for qcow2 option "
                    + "'overlap-check'. Allowed are any of the following: none, constant, cached, all");
        };
        for (var e : o.overlapBits().entrySet()) {
            overlap = e.getValue() ? overlap | (1 << e.getKey()) : overlap & ~(1 << e.getKey());
        }
        s.layout.l2SliceSize = sizes.l2EntrySize() / s.layout.l2EntrySize;
        s.l2Cache = new MetadataCache(s, MetadataCache.Kind.L2, sizes.l2Entries(), sizes.l2EntrySize());
        s.refcountCache = new MetadataCache(s, MetadataCache.Kind.REFCOUNT, sizes.refcountEntries(),
                s.layout.clusterSize);
        s.overlapCheck = overlap;
        s.useLazyRefcounts = lazy;
        s.discardPassthrough[DiscardType.NEVER.ordinal()] = false;
        s.discardPassthrough[DiscardType.ALWAYS.ordinal()] = true;
        s.discardPassthrough[DiscardType.REQUEST.ordinal()] =
                o.passDiscardRequest() != null ? o.passDiscardRequest() : unmap;
        s.discardPassthrough[DiscardType.SNAPSHOT.ordinal()] =
                o.passDiscardSnapshot() != null ? o.passDiscardSnapshot() : true;
        s.discardPassthrough[DiscardType.OTHER.ordinal()] =
                o.passDiscardOther() != null ? o.passDiscardOther() : false;
    }
}
