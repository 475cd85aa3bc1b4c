package org.blkdebug.engine.format.qcow2;

import java.nio.charset.StandardCharsets;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.request.Request;

/**
 * Rewrites the header cluster (QEMU's qcow2_update_header) and the dirty and corrupt bits
 * (qcow2_mark_dirty, qcow2_mark_clean, qcow2_mark_consistent).
 */
final class HeaderWriter {
    static final int HEADER_SIZE = 112;
    static final int V2_HEADER_SIZE = 72;
    static final int OFFSET_SIZE = 24;
    static final int OFFSET_L1_SIZE = 36;
    static final int OFFSET_REFTABLE = 48;
    static final int OFFSET_INCOMPATIBLE = 72;

    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_TABLE = 0x6803f857;
    static final int EXT_CRYPTO_HEADER = 0x0537be77;
    static final int EXT_BITMAPS = 0x23852875;
    static final int EXT_DATA_FILE = 0x44415441;

    /** QEMU's feature name table: {type, bit, name}. */
    private static final Object[][] FEATURES = {
        {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"}, {0, 3, "compression type"},
        {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"}, {2, 0, "bitmaps"}, {2, 1, "raw external data"},
    };

    private HeaderWriter() {
    }

    /** qcow2_update_header: 0 or -errno (-ENOSPC when the first cluster cannot hold it all). */
    static int update(Qcow2State s, Request r) {
        int buflen = s.layout.clusterSize;
        byte[] buf = new byte[buflen];
        Entries.putInt(buf, 0, 0x514649fb);
        Entries.putInt(buf, 4, s.qcowVersion);
        Entries.putInt(buf, 20, s.layout.clusterBits);
        Entries.putLong(buf, OFFSET_SIZE, s.totalBytes);
        Entries.putInt(buf, 32, s.cryptMethod);
        Entries.putInt(buf, OFFSET_L1_SIZE, s.l1Size);
        Entries.putLong(buf, 40, s.l1TableOffset);
        Entries.putLong(buf, OFFSET_REFTABLE, s.refcountTableOffset);
        Entries.putInt(buf, 56, s.refcountTableSize >>> (s.layout.clusterBits - 3));
        Entries.putInt(buf, 60, s.snapshots.count());
        Entries.putLong(buf, 64, s.snapshots.offset());
        int at;
        if (s.qcowVersion == 2) {
            at = V2_HEADER_SIZE;
        } else {
            Entries.putLong(buf, OFFSET_INCOMPATIBLE, s.incompatibleFeatures);
            Entries.putLong(buf, 80, s.compatibleFeatures);
            Entries.putLong(buf, 88, s.autoclearFeatures);
            Entries.putInt(buf, 96, s.layout.refcountOrder);
            Entries.putInt(buf, 100, HEADER_SIZE + s.unknownHeaderFields.length);
            buf[104] = (byte) s.compressionType;
            at = HEADER_SIZE;
        }
        if (buflen - at < s.unknownHeaderFields.length) {
            return -Errno.ENOSPC;
        }
        System.arraycopy(s.unknownHeaderFields, 0, buf, at, s.unknownHeaderFields.length);
        at += s.unknownHeaderFields.length;
        try {
            if (s.imageBackingFormat != null) {
                at = addExt(buf, at, EXT_BACKING_FORMAT, s.imageBackingFormat.getBytes(StandardCharsets.UTF_8));
            }
            if (s.hasDataFile() && s.imageDataFile != null) {
                at = addExt(buf, at, EXT_DATA_FILE, s.imageDataFile.getBytes(StandardCharsets.UTF_8));
            }
            if (s.qcowVersion >= 3 && s.layout.clusterSize > 4096) {
                byte[] table = new byte[FEATURES.length * 48];
                for (int i = 0; i < FEATURES.length; i++) {
                    table[i * 48] = (byte) (int) (Integer) FEATURES[i][0];
                    table[i * 48 + 1] = (byte) (int) (Integer) FEATURES[i][1];
                    byte[] name = ((String) FEATURES[i][2]).getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(name, 0, table, i * 48 + 2, name.length);
                }
                at = addExt(buf, at, EXT_FEATURE_TABLE, table);
            }
            if (s.nbBitmaps > 0) {
                byte[] b = new byte[24];
                Entries.putInt(b, 0, s.nbBitmaps);
                Entries.putLong(b, 8, s.bitmapDirectorySize);
                Entries.putLong(b, 16, s.bitmapDirectoryOffset);
                at = addExt(buf, at, EXT_BITMAPS, b);
            }
            for (Qcow2State.HeaderExtension e : s.unknownHeaderExt) {
                at = addExt(buf, at, e.magic(), e.data());
            }
            at = addExt(buf, at, EXT_END, new byte[0]);
        } catch (IndexOutOfBoundsException e) {
            return -Errno.ENOSPC;
        }
        if (s.imageBackingFile != null) {
            byte[] name = s.imageBackingFile.getBytes(StandardCharsets.UTF_8);
            if (buflen - at < name.length) {
                return -Errno.ENOSPC;
            }
            System.arraycopy(name, 0, buf, at, name.length);
            Entries.putLong(buf, 8, at);
            Entries.putInt(buf, 16, name.length);
        }
        return ChildIo.pwrite(r, s.file, 0, buf, 0, buflen);
    }

    private static int addExt(byte[] buf, int at, int magic, byte[] data) {
        int extLen = 8 + ((data.length + 7) & ~7);
        if (buf.length - at < extLen) {
            throw new IndexOutOfBoundsException();
        }
        Entries.putInt(buf, at, magic);
        Entries.putInt(buf, at + 4, data.length);
        System.arraycopy(data, 0, buf, at + 8, data.length);
        return at + extLen;
    }

    /** qcow2_mark_dirty: sets the dirty bit on disk first (8 bytes at 72, then a flush). */
    static int markDirty(Qcow2State s, Request r) {
        if ((s.incompatibleFeatures & Qcow2State.INCOMPAT_DIRTY) != 0) {
            return 0;
        }
        byte[] val = new byte[8];
        Entries.putLong(val, 0, s.incompatibleFeatures | Qcow2State.INCOMPAT_DIRTY);
        int ret = ChildIo.pwriteSync(r, s.file, OFFSET_INCOMPATIBLE, val, 0, 8);
        if (ret < 0) {
            return ret;
        }
        s.incompatibleFeatures |= Qcow2State.INCOMPAT_DIRTY;
        return 0;
    }

    /** qcow2_mark_clean: caches flushed, then the header without the dirty bit. */
    static int markClean(Qcow2State s, Request r) {
        if ((s.incompatibleFeatures & Qcow2State.INCOMPAT_DIRTY) != 0) {
            s.incompatibleFeatures &= ~Qcow2State.INCOMPAT_DIRTY;
            int ret = Refcounts.flushCaches(s, r);
            if (ret < 0) {
                return ret;
            }
            return update(s, r);
        }
        return 0;
    }

    /** qcow2_mark_consistent: clears the corrupt bit after a successful repair. */
    static int markConsistent(Qcow2State s, Request r) {
        if ((s.incompatibleFeatures & Qcow2State.INCOMPAT_CORRUPT) != 0) {
            int ret = Refcounts.flushCaches(s, r);
            if (ret < 0) {
                return ret;
            }
            s.incompatibleFeatures &= ~Qcow2State.INCOMPAT_CORRUPT;
            return update(s, r);
        }
        return 0;
    }
}
