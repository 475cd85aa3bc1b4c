package org.blkdebug.engine.format.qcow2;

import java.nio.charset.StandardCharsets;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/** The header extensions after the fixed header (QEMU's qcow2_read_extensions). */
final class Extensions {
    private static final int MAX_BITMAPS = 65535;

    private Extensions() {
    }

    /**
     * Reads every extension into the state, each with its own silent reads; returns whether the
     * header must be rewritten (a bitmaps extension nobody kept up to date).
     */
    static boolean read(Qcow2State s, Request r, long start, long end) throws OpenException {
        boolean needUpdate = false;
        long offset = start;
        byte[] ext = new byte[8];
        while (offset < end) {
            int ret = ChildIo.pread(r, s.file, offset, ext, 0, 8);
            if (ret < 0) {
                throw new OpenException("qcow2_read_extension: ERROR: pread fail from offset " + offset + ": "
                        + Errno.message(-ret));
            }
            int magic = Entries.getInt(ext, 0);
            long len = Integer.toUnsignedLong(Entries.getInt(ext, 4));
            offset += 8;
            if (offset > end || len > end - offset) {
                throw new OpenException("Header extension too large");
            }
            switch (magic) {
                case HeaderWriter.EXT_END:
                    return needUpdate;
                case HeaderWriter.EXT_BACKING_FORMAT: {
                    if (len >= 16) {
                        throw new OpenException("ERROR: ext_backing_format: len=" + len + " too large (>=16)");
                    }
                    byte[] b = readData(s, r, offset, (int) len, "ERROR: ext_backing_format: Could not read format name");
                    s.imageBackingFormat = cstring(b);
                    break;
                }
                case HeaderWriter.EXT_FEATURE_TABLE:
                    break; // read only when an unknown feature must be named
                case HeaderWriter.EXT_CRYPTO_HEADER:
                    throw new OpenException("CRYPTO header extension only expected with LUKS encryption method");
                case HeaderWriter.EXT_BITMAPS: {
                    if (len != 24) {
                        throw new OpenException("bitmaps_ext: Invalid extension length");
                    }
                    if ((s.autoclearFeatures & Qcow2State.AUTOCLEAR_BITMAPS) == 0) {
                        s.out.report(s.qcowVersion < 3
                                ? "warning: This qcow2 v2 image contains bitmaps, but they may have been modified by "
                                + "a program without persistent bitmap support; so now they must all be considered "
                                + "inconsistent"
                                : "warning: a program lacking bitmap support modified this file, so all bitmaps are "
                                + "now considered inconsistent");
                        s.out.print("Some clusters may be leaked, run 'qemu-img check -r' on the image file to fix.");
                        needUpdate = true;
                        break;
                    }
                    byte[] b = readData(s, r, offset, 24, "bitmaps_ext: Could not read ext header");
                    int nb = Entries.getInt(b, 0);
                    if (Entries.getInt(b, 4) != 0) {
                        throw new OpenException("bitmaps_ext: Reserved field is not zero");
                    }
                    long dirSize = Entries.getLong(b, 8);
                    long dirOffset = Entries.getLong(b, 16);
                    if (Integer.toUnsignedLong(nb) > MAX_BITMAPS) {
                        throw new OpenException("bitmaps_ext: Image has " + Integer.toUnsignedString(nb)
                                + " bitmaps, exceeding the QEMU supported maximum of " + MAX_BITMAPS);
                    }
                    if (nb == 0) {
                        throw new OpenException("found bitmaps extension with zero bitmaps");
                    }
                    if (s.layout.offsetIntoCluster(dirOffset) != 0) {
                        throw new OpenException("bitmaps_ext: invalid bitmap directory offset");
                    }
                    if (Long.compareUnsigned(dirSize, 1024L * MAX_BITMAPS) > 0) {
                        throw new OpenException("bitmaps_ext: bitmap directory size (" + Long.toUnsignedString(dirSize)
                                + ") exceeds the maximum supported size (" + 1024L * MAX_BITMAPS + ")");
                    }
                    s.nbBitmaps = nb;
                    s.bitmapDirectoryOffset = dirOffset;
                    s.bitmapDirectorySize = dirSize;
                    break;
                }
                case HeaderWriter.EXT_DATA_FILE: {
                    byte[] b = readData(s, r, offset, (int) len, "ERROR: Could not read data file name");
                    s.imageDataFile = cstring(b);
                    break;
                }
                default:
                    s.unknownHeaderExt.add(0, new Qcow2State.HeaderExtension(magic,
                            readData(s, r, offset, (int) len, "ERROR: unknown extension: Could not read data")));
                    break;
            }
            offset += (len + 7) & ~7L;
        }
        return needUpdate;
    }

    private static byte[] readData(Qcow2State s, Request r, long offset, int len, String error) throws OpenException {
        byte[] b = new byte[len];
        int ret = ChildIo.pread(r, s.file, offset, b, 0, len);
        if (ret < 0) {
            throw new OpenException(error + ": " + Errno.message(-ret));
        }
        return b;
    }

    private static String cstring(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** The feature name table, or null (read errors are ignored, as QEMU ignores them here). */
    static byte[] featureTable(Node file, Request r, long start, long end) {
        long offset = start;
        byte[] ext = new byte[8];
        while (offset < end) {
            if (ChildIo.pread(r, file, offset, ext, 0, 8) < 0) {
                return null;
            }
            int magic = Entries.getInt(ext, 0);
            long len = Integer.toUnsignedLong(Entries.getInt(ext, 4));
            offset += 8;
            if (offset > end || len > end - offset || magic == HeaderWriter.EXT_END) {
                return null;
            }
            if (magic == HeaderWriter.EXT_FEATURE_TABLE) {
                byte[] t = new byte[(int) len];
                return ChildIo.pread(r, file, offset, t, 0, (int) len) < 0 ? null : t;
            }
            offset += (len + 7) & ~7L;
        }
        return null;
    }

    /** report_unsupported_feature. */
    static String unsupported(byte[] table, long mask) {
        StringBuilder features = new StringBuilder();
        if (table != null) {
            for (int at = 0; at + 48 <= table.length && table[at + 2] != 0; at += 48) {
                int type = table[at] & 0xff;
                int bit = table[at + 1] & 0xff;
                if (type == 0 && bit < 64 && (mask & (1L << bit)) != 0) {
                    if (!features.isEmpty()) {
                        features.append(", ");
                    }
                    int n = 0;
                    while (n < 46 && table[at + 2 + n] != 0) {
                        n++;
                    }
                    features.append(new String(table, at + 2, n, StandardCharsets.UTF_8));
                    mask &= ~(1L << bit);
                }
            }
        }
        if (mask != 0) {
            if (!features.isEmpty()) {
                features.append(", ");
            }
            features.append("Unknown incompatible feature: ").append(Long.toHexString(mask));
        }
        return "Unsupported qcow2 feature(s): " + features;
    }
}
