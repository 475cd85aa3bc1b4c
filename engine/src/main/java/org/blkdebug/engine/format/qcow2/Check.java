package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.request.Request;

/**
 * The consistency check and repair QEMU runs when it opens an image left dirty (qcow2_co_check
 * with BDRV_FIX_ERRORS | BDRV_FIX_LEAKS, iotest 098): rebuild the references in memory from
 * every table, compare them with the refcounts on disk, fix leaks and errors, rebuild the whole
 * refcount structure when needed, fix COPIED flags. Its stderr lines are QEMU's.
 */
final class Check {
    static final int FIX_LEAKS = 1;
    static final int FIX_ERRORS = 2;
    private static final int CHECK_FRAG_INFO = 2;

    /** QEMU's BdrvCheckResult (the counters the repair needs). */
    static final class Result {
        int corruptions;
        int leaks;
        int checkErrors;
        int corruptionsFixed;
        int leaksFixed;
        long imageEndOffset;

        Result copy() {
            Result r = new Result();
            r.corruptions = corruptions;
            r.leaks = leaks;
            r.checkErrors = checkErrors;
            r.corruptionsFixed = corruptionsFixed;
            r.leaksFixed = leaksFixed;
            r.imageEndOffset = imageEndOffset;
            return r;
        }

        void add(Result o) {
            corruptions += o.corruptions;
            leaks += o.leaks;
            checkErrors += o.checkErrors;
            corruptionsFixed += o.corruptionsFixed;
            leaksFixed += o.leaksFixed;
        }
    }

    private Check() {
    }

    /** qcow2_co_check_locked. */
    static int check(Qcow2State s, Request r, Result result, int fix) {
        Result snapshotRes = new Result();
        Result refcountRes = new Result();
        int ret = checkReadSnapshotTable(s, r, snapshotRes);
        if (ret < 0) {
            result.add(snapshotRes);
            return ret;
        }
        ret = checkRefcounts(s, r, refcountRes, fix);
        result.add(refcountRes);
        result.imageEndOffset = refcountRes.imageEndOffset;
        if (ret < 0) {
            result.add(snapshotRes);
            return ret;
        }
        result.add(snapshotRes); // qcow2_check_fix_snapshot_table: nothing to rewrite here
        if (fix != 0 && result.checkErrors == 0 && result.corruptions == 0) {
            ret = HeaderWriter.markClean(s, r);
            if (ret < 0) {
                return ret;
            }
            return HeaderWriter.markConsistent(s, r);
        }
        return ret;
    }

    /** qcow2_check_read_snapshot_table, for tables that need no repair. */
    private static int checkReadSnapshotTable(Qcow2State s, Request r, Result res) {
        byte[] ptr = new byte[12];
        int ret = ChildIo.pread(r, s.file, 60, ptr, 0, 12);
        if (ret < 0) {
            res.checkErrors++;
            s.out.print("ERROR failed to read the snapshot table pointer from the image header: "
                    + Errno.message(-ret));
            return ret;
        }
        int nb = Entries.getInt(ptr, 0);
        long offset = Entries.getLong(ptr, 4);
        s.lock.unlock();
        try {
            s.snapshots = Snapshots.read(s, r, offset, nb);
        } catch (Qcow2OpenException e) {
            res.checkErrors++;
            s.out.report("ERROR failed to read the snapshot table: " + e.getMessage());
            s.snapshots = Snapshots.NONE;
            return e.ret;
        } finally {
            s.lock.lock(r);
        }
        if (s.qcowVersion >= 3) {
            int i = 0;
            for (Snapshots.Snapshot sn : s.snapshots.list()) {
                if (sn.extraDataSize() < 16) {
                    res.corruptions++;
                    s.out.print("ERROR snapshot table entry " + i + " is incomplete");
                }
                i++;
            }
        }
        return 0;
    }

    /** qcow2_inc_refcounts_imrt. */
    private static int incRefcounts(Qcow2State s, Result res, Imrt t, long offset, long size) {
        if (size <= 0) {
            return 0;
        }
        long fileLen = ChildIo.length(s.file);
        if (fileLen < 0) {
            return (int) fileLen;
        }
        if (offset + size - fileLen >= s.layout.clusterSize) {
            s.out.print("ERROR: counting reference for region exceeding the end of the file by one cluster or more: "
                    + "offset 0x" + Long.toHexString(offset) + " size 0x" + Long.toHexString(size));
            res.corruptions++;
            return 0;
        }
        long start = s.layout.startOfCluster(offset);
        long last = s.layout.startOfCluster(offset + size - 1);
        for (long c = start; c <= last; c += s.layout.clusterSize) {
            long k = c >>> s.layout.clusterBits;
            if (k >= t.nbClusters) {
                t.realloc(s, k + 1);
            }
            long refcount = t.get(s, k);
            if (refcount == s.layout.refcountMax) {
                s.out.print("ERROR: overflow cluster offset=0x" + Long.toHexString(c));
                s.out.print("Use qemu-img amend to increase the refcount entry width or qemu-img convert to create "
                        + "a clean copy if the image cannot be opened for writing");
                res.corruptions++;
                continue;
            }
            Refcounts.set(s, t.table, k, refcount + 1);
        }
        return 0;
    }

    /** fix_l2_entry_by_zero. */
    private static int fixL2EntryByZero(Qcow2State s, Request r, Result res, long l2Offset, byte[] l2Table,
                                        int l2Index, boolean active, boolean[] overlap) {
        long l2eOffset = l2Offset + (long) l2Index * s.layout.l2EntrySize;
        int ign = active ? Overlap.ACTIVE_L2 : Overlap.INACTIVE_L2;
        if (s.hasSubclusters()) {
            long bitmap = s.l2Bitmap(l2Table, l2Index);
            bitmap |= bitmap << 32;
            bitmap &= Entries.L2_BITMAP_ALL_ZEROES;
            s.setL2Bitmap(l2Table, l2Index, bitmap);
            s.setL2Entry(l2Table, l2Index, 0);
        } else {
            s.setL2Entry(l2Table, l2Index, Entries.OFLAG_ZERO);
        }
        int ret = Overlap.preWriteCheck(s, r, ign, l2eOffset, s.layout.l2EntrySize, false);
        overlap[0] = ret < 0;
        if (ret < 0) {
            s.out.print("ERROR: Overlap check failed");
            res.checkErrors++;
            return ret;
        }
        ret = ChildIo.pwriteSync(r, s.file, l2eOffset, l2Table, l2Index * s.layout.l2EntrySize, s.layout.l2EntrySize);
        if (ret < 0) {
            s.out.print("ERROR: Failed to overwrite L2 table entry: " + Errno.message(-ret));
            res.checkErrors++;
            return ret;
        }
        res.corruptions--;
        res.corruptionsFixed++;
        return 0;
    }

    /** check_refcounts_l2. */
    private static int checkL2(Qcow2State s, Request r, Result res, Imrt t, long l2Offset, int fix, boolean active) {
        Layout l = s.layout;
        int l2Bytes = l.l2Size * l.l2EntrySize;
        byte[] l2Table = new byte[l2Bytes];
        int ret = ChildIo.pread(r, s.file, l2Offset, l2Table, 0, l2Bytes);
        if (ret < 0) {
            s.out.print("ERROR: I/O error in check_refcounts_l2");
            res.checkErrors++;
            return ret;
        }
        boolean[] overlap = new boolean[1];
        for (int i = 0; i < l.l2Size; i++) {
            long entry = s.l2Entry(l2Table, i);
            long bitmap = s.l2Bitmap(l2Table, i);
            ClusterType type = s.clusterType(entry);
            if (type != ClusterType.COMPRESSED && (entry & Entries.L2E_STD_RESERVED_MASK) != 0) {
                s.out.print("ERROR found l2 entry with reserved bits set: " + Long.toHexString(entry));
                res.corruptions++;
            }
            switch (type) {
                case COMPRESSED -> {
                    if ((entry & Entries.OFLAG_COPIED) != 0) {
                        s.out.print("ERROR: coffset=0x" + Long.toHexString(entry & l.clusterOffsetMask)
                                + ": copied flag must never be set for compressed clusters");
                        entry &= ~Entries.OFLAG_COPIED;
                        res.corruptions++;
                    }
                    if (s.hasDataFile()) {
                        s.out.print("ERROR compressed cluster " + i + " with data file, entry=0x" + Long.toHexString(entry));
                        res.corruptions++;
                        break;
                    }
                    if (bitmap != 0) {
                        s.out.print("ERROR compressed cluster " + i + " with non-zero subcluster allocation bitmap, "
                                + "entry=0x" + Long.toHexString(entry));
                        res.corruptions++;
                        break;
                    }
                    ret = incRefcounts(s, res, t, l.compressedOffset(entry), l.compressedSize(entry));
                    if (ret < 0) {
                        return ret;
                    }
                }
                case ZERO_ALLOC, NORMAL -> {
                    long offset = entry & Entries.L2E_OFFSET_MASK;
                    if (((bitmap >>> 32) & bitmap) != 0) {
                        res.corruptions++;
                        s.out.print("ERROR offset=" + Long.toHexString(offset)
                                + ": Allocated cluster has corrupted subcluster allocation bitmap");
                    }
                    if (l.offsetIntoCluster(offset) != 0) {
                        res.corruptions++;
                        boolean containsData = s.hasSubclusters() ? (bitmap & Entries.L2_BITMAP_ALL_ALLOC) != 0
                                : (entry & Entries.OFLAG_ZERO) == 0;
                        if (!containsData) {
                            s.out.print(((fix & FIX_ERRORS) != 0 ? "Repairing" : "ERROR") + " offset="
                                    + Long.toHexString(offset) + ": Preallocated cluster is not properly aligned; "
                                    + "L2 entry corrupted.");
                            if ((fix & FIX_ERRORS) != 0) {
                                ret = fixL2EntryByZero(s, r, res, l2Offset, l2Table, i, active, overlap);
                                if (overlap[0]) {
                                    return ret;
                                }
                                if (ret == 0) {
                                    continue;
                                }
                            }
                        } else {
                            s.out.print("ERROR offset=" + Long.toHexString(offset) + ": Data cluster is not properly "
                                    + "aligned; L2 entry corrupted.");
                        }
                    }
                    if (!s.hasDataFile()) {
                        ret = incRefcounts(s, res, t, offset, l.clusterSize);
                        if (ret < 0) {
                            return ret;
                        }
                    }
                }
                case UNALLOCATED -> {
                    if ((bitmap & Entries.L2_BITMAP_ALL_ALLOC) != 0) {
                        res.corruptions++;
                        s.out.print("ERROR: Unallocated cluster has non-zero subcluster allocation map");
                    }
                }
                default -> {
                }
            }
        }
        return 0;
    }

    /** check_refcounts_l1. */
    private static int checkL1(Qcow2State s, Request r, Result res, Imrt t, long l1Offset, int l1Size, int fix,
                               boolean active) {
        if (l1Size == 0) {
            return 0;
        }
        int bytes = l1Size * Entries.L1E_SIZE;
        int ret = incRefcounts(s, res, t, l1Offset, bytes);
        if (ret < 0) {
            return ret;
        }
        byte[] buf = new byte[bytes];
        ret = ChildIo.pread(r, s.file, l1Offset, buf, 0, bytes);
        if (ret < 0) {
            s.out.print("ERROR: I/O error in check_refcounts_l1");
            res.checkErrors++;
            return ret;
        }
        for (int i = 0; i < l1Size; i++) {
            long e = Entries.getLong(buf, i * 8);
            if (e == 0) {
                continue;
            }
            if ((e & Entries.L1E_RESERVED_MASK) != 0) {
                s.out.print("ERROR found L1 entry with reserved bits set: " + Long.toHexString(e));
                res.corruptions++;
            }
            long l2Offset = e & Entries.L1E_OFFSET_MASK;
            ret = incRefcounts(s, res, t, l2Offset, s.layout.clusterSize);
            if (ret < 0) {
                return ret;
            }
            if (s.layout.offsetIntoCluster(l2Offset) != 0) {
                s.out.print("ERROR l2_offset=" + Long.toHexString(l2Offset)
                        + ": Table is not cluster aligned; L1 entry corrupted");
                res.corruptions++;
            }
            ret = checkL2(s, r, res, t, l2Offset, fix, active);
            if (ret < 0) {
                return ret;
            }
        }
        return 0;
    }

    /** check_oflag_copied. */
    private static int checkOflagCopied(Qcow2State s, Request r, Result res, int fix) {
        Layout l = s.layout;
        boolean repair;
        if ((fix & FIX_ERRORS) != 0) {
            repair = true;
        } else if ((fix & FIX_LEAKS) != 0) {
            repair = res.checkErrors == 0 && res.corruptions == 0 && res.leaks == 0;
        } else {
            repair = false;
        }
        int l2Bytes = l.l2Size * l.l2EntrySize;
        byte[] l2Table = new byte[Math.max(l2Bytes, l.clusterSize)];
        long[] refcount = new long[1];
        for (int i = 0; i < s.l1Size; i++) {
            long l1Entry = s.l1Table[i];
            long l2Offset = l1Entry & Entries.L1E_OFFSET_MASK;
            int l2Dirty = 0;
            if (l2Offset == 0) {
                continue;
            }
            int ret = Refcounts.getRefcount(s, r, l2Offset >>> l.clusterBits, refcount);
            if (ret < 0) {
                continue;
            }
            if ((refcount[0] == 1) != ((l1Entry & Entries.OFLAG_COPIED) != 0)) {
                res.corruptions++;
                s.out.print((repair ? "Repairing" : "ERROR") + " OFLAG_COPIED L2 cluster: l1_index=" + i
                        + " l1_entry=" + Long.toHexString(l1Entry) + " refcount=" + Long.toUnsignedString(refcount[0]));
                if (repair) {
                    s.l1Table[i] = refcount[0] == 1 ? l1Entry | Entries.OFLAG_COPIED : l1Entry & ~Entries.OFLAG_COPIED;
                    ret = L1Table.writeEntry(s, r, i);
                    if (ret < 0) {
                        res.checkErrors++;
                        return ret;
                    }
                    res.corruptions--;
                    res.corruptionsFixed++;
                }
            }
            ret = ChildIo.pread(r, s.file, l2Offset, l2Table, 0, l2Bytes);
            if (ret < 0) {
                s.out.print("ERROR: Could not read L2 table: " + Errno.message(-ret));
                res.checkErrors++;
                return ret;
            }
            for (int j = 0; j < l.l2Size; j++) {
                long entry = s.l2Entry(l2Table, j);
                long dataOffset = entry & Entries.L2E_OFFSET_MASK;
                ClusterType type = s.clusterType(entry);
                if (type == ClusterType.NORMAL || type == ClusterType.ZERO_ALLOC) {
                    if (s.hasDataFile()) {
                        refcount[0] = 1;
                    } else if (Refcounts.getRefcount(s, r, dataOffset >>> l.clusterBits, refcount) < 0) {
                        continue;
                    }
                    if ((refcount[0] == 1) != ((entry & Entries.OFLAG_COPIED) != 0)) {
                        res.corruptions++;
                        s.out.print((repair ? "Repairing" : "ERROR") + " OFLAG_COPIED data cluster: l2_entry="
                                + Long.toHexString(entry) + " refcount=" + Long.toUnsignedString(refcount[0]));
                        if (repair) {
                            s.setL2Entry(l2Table, j, refcount[0] == 1 ? entry | Entries.OFLAG_COPIED
                                    : entry & ~Entries.OFLAG_COPIED);
                            l2Dirty++;
                        }
                    }
                }
            }
            if (l2Dirty > 0) {
                ret = Overlap.preWriteCheck(s, r, Overlap.ACTIVE_L2, l2Offset, l.clusterSize, false);
                if (ret < 0) {
                    s.out.print("ERROR: Could not write L2 table; metadata overlap check failed: " + Errno.message(-ret));
                    res.checkErrors++;
                    return ret;
                }
                ret = ChildIo.pwrite(r, s.file, l2Offset, l2Table, 0, l.clusterSize);
                if (ret < 0) {
                    s.out.print("ERROR: Could not write L2 table: " + Errno.message(-ret));
                    res.checkErrors++;
                    return ret;
                }
                res.corruptions -= l2Dirty;
                res.corruptionsFixed += l2Dirty;
            }
        }
        return 0;
    }

    /** check_refblocks (without the repair of blocks outside the image, which QEMU does by growing it). */
    private static int checkRefblocks(Qcow2State s, Request r, Result res, int fix, boolean[] rebuild, Imrt t) {
        Layout l = s.layout;
        for (int i = 0; i < s.refcountTableSize; i++) {
            long offset = s.refcountTable[i] & Entries.REFT_OFFSET_MASK;
            long cluster = offset >>> l.clusterBits;
            if ((s.refcountTable[i] & Entries.REFT_RESERVED_MASK) != 0) {
                s.out.print("ERROR refcount table entry " + i + " has reserved bits set");
                res.corruptions++;
                rebuild[0] = true;
                continue;
            }
            if (l.offsetIntoCluster(offset) != 0) {
                s.out.print("ERROR refcount block " + i + " is not cluster aligned; refcount table entry corrupted");
                res.corruptions++;
                rebuild[0] = true;
                continue;
            }
            if (cluster >= t.nbClusters) {
                res.corruptions++;
                s.out.print(((fix & FIX_ERRORS) != 0 ? "Repairing" : "ERROR") + " refcount block " + i
                        + " is outside image");
                if ((fix & FIX_ERRORS) != 0) {
                    int ret = ChildIo.truncate(r, s.file, offset + l.clusterSize);
                    long size = ret < 0 ? ret : ChildIo.length(s.file);
                    if (ret >= 0 && size >= 0) {
                        t.realloc(s, Math.max(t.nbClusters, l.sizeToClusters(size)));
                        if (cluster < t.nbClusters) {
                            res.corruptions--;
                            res.corruptionsFixed++;
                            ret = incRefcounts(s, res, t, offset, l.clusterSize);
                            if (ret < 0) {
                                return ret;
                            }
                            continue;
                        }
                        ret = -Errno.EINVAL;
                    }
                    rebuild[0] = true;
                    s.out.print("ERROR could not resize image: " + Errno.message(-(int) Math.min(ret, size)));
                }
                continue;
            }
            if (offset != 0) {
                int ret = incRefcounts(s, res, t, offset, l.clusterSize);
                if (ret < 0) {
                    return ret;
                }
                if (t.get(s, cluster) != 1) {
                    s.out.print("ERROR refcount block " + i + " refcount=" + Long.toUnsignedString(t.get(s, cluster)));
                    res.corruptions++;
                    rebuild[0] = true;
                }
            }
        }
        return 0;
    }

    /** calculate_refcounts. */
    private static int calculate(Qcow2State s, Request r, Result res, int fix, boolean[] rebuild, Imrt t) {
        Layout l = s.layout;
        if (t.table.length == 0) {
            long n = t.nbClusters;
            t.nbClusters = 0;
            t.realloc(s, n);
        }
        int ret = incRefcounts(s, res, t, 0, l.clusterSize);
        if (ret < 0) {
            return ret;
        }
        ret = checkL1(s, r, res, t, s.l1TableOffset, s.l1Size, fix, true);
        if (ret < 0) {
            return ret;
        }
        if (s.hasDataFile() && s.snapshots.count() != 0) {
            s.out.print("ERROR " + s.snapshots.count() + " snapshots in image with data file");
            res.corruptions++;
        }
        for (Snapshots.Snapshot sn : s.snapshots.list()) {
            if (l.offsetIntoCluster(sn.l1TableOffset()) != 0) {
                s.out.print("ERROR snapshot " + sn.id() + " (" + sn.name() + ") l1_offset=" + Hex.c(sn.l1TableOffset())
                        + ": L1 table is not cluster aligned; snapshot table entry corrupted");
                res.corruptions++;
                continue;
            }
            if (Integer.toUnsignedLong(sn.l1Size()) > 32L * 1024 * 1024 / Entries.L1E_SIZE) {
                s.out.print("ERROR snapshot " + sn.id() + " (" + sn.name() + ") l1_size=" + Hex.c(sn.l1Size())
                        + ": L1 table is too large; snapshot table entry corrupted");
                res.corruptions++;
                continue;
            }
            ret = checkL1(s, r, res, t, sn.l1TableOffset(), sn.l1Size(), fix, false);
            if (ret < 0) {
                return ret;
            }
        }
        ret = incRefcounts(s, res, t, s.snapshots.offset(), s.snapshots.size());
        if (ret < 0) {
            return ret;
        }
        ret = incRefcounts(s, res, t, s.refcountTableOffset, (long) s.refcountTableSize * Entries.REFTABLE_ENTRY_SIZE);
        if (ret < 0) {
            return ret;
        }
        // persistent bitmaps are refused at read-write open, so there are none to count
        return checkRefblocks(s, r, res, fix, rebuild, t);
    }

    /** compare_refcounts; returns the highest cluster in use. */
    private static long compare(Qcow2State s, Request r, Result res, int fix, boolean[] rebuild, Imrt t) {
        long highest = 0;
        long[] rc1 = new long[1];
        for (long i = 0; i < t.nbClusters; i++) {
            int ret = Refcounts.getRefcount(s, r, i, rc1);
            if (ret < 0) {
                s.out.print("Can't get refcount for cluster " + i + ": " + Errno.message(-ret));
                res.checkErrors++;
                continue;
            }
            long refcount1 = rc1[0];
            long refcount2 = t.get(s, i);
            if (refcount1 > 0 || refcount2 > 0) {
                highest = i;
            }
            if (refcount1 != refcount2) {
                boolean fixLeak = false;
                boolean fixError = false;
                if (refcount1 == 0) {
                    rebuild[0] = true;
                } else if (Long.compareUnsigned(refcount1, refcount2) > 0 && (fix & FIX_LEAKS) != 0) {
                    fixLeak = true;
                } else if (Long.compareUnsigned(refcount1, refcount2) < 0 && (fix & FIX_ERRORS) != 0) {
                    fixError = true;
                }
                boolean fixing = fixLeak || fixError;
                s.out.print((fixing ? "Repairing" : Long.compareUnsigned(refcount1, refcount2) < 0 ? "ERROR" : "Leaked")
                        + " cluster " + i + " refcount=" + Long.toUnsignedString(refcount1) + " reference="
                        + Long.toUnsignedString(refcount2));
                if (fixing) {
                    long diff = Long.compareUnsigned(refcount1, refcount2) > 0 ? refcount1 - refcount2
                            : refcount2 - refcount1;
                    ret = Refcounts.update(s, r, i << s.layout.clusterBits, 1, diff,
                            Long.compareUnsigned(refcount1, refcount2) > 0, DiscardType.ALWAYS);
                    if (ret >= 0) {
                        if (fixLeak) {
                            res.leaksFixed++;
                        } else {
                            res.corruptionsFixed++;
                        }
                        continue;
                    }
                }
                if (Long.compareUnsigned(refcount1, refcount2) < 0) {
                    res.corruptions++;
                } else {
                    res.leaks++;
                }
            }
        }
        return highest;
    }

    /** qcow2_check_refcounts. */
    static int checkRefcounts(Qcow2State s, Request r, Result res, int fix) {
        long size = ChildIo.length(s.file);
        if (size < 0) {
            res.checkErrors++;
            return (int) size;
        }
        Imrt t = new Imrt();
        t.nbClusters = s.layout.sizeToClusters(size);
        if (t.nbClusters > Integer.MAX_VALUE) {
            res.checkErrors++;
            return -Errno.EFBIG;
        }
        boolean[] rebuild = {false};
        int ret = calculate(s, r, res, fix, rebuild, t);
        if (ret < 0) {
            return ret;
        }
        Result preCompare = res.copy();
        long highest = compare(s, r, res, 0, rebuild, t);
        if (rebuild[0] && (fix & FIX_ERRORS) != 0) {
            Result old = res.copy();
            int freshLeaks = 0;
            s.out.print("Rebuilding refcount structure");
            ret = RefcountRebuild.rebuild(s, r, res, t);
            if (ret < 0) {
                return ret;
            }
            res.corruptions = 0;
            res.leaks = 0;
            rebuild[0] = false;
            java.util.Arrays.fill(t.table, (byte) 0);
            ret = calculate(s, r, res, 0, rebuild, t);
            if (ret < 0) {
                return ret;
            }
            if ((fix & FIX_LEAKS) != 0) {
                Result saved = res.copy();
                Result fresh = new Result();
                highest = compare(s, r, fresh, FIX_LEAKS, rebuild, t);
                if (rebuild[0]) {
                    s.out.print("ERROR rebuilt refcount structure is still broken");
                }
                freshLeaks = fresh.leaks;
                copyInto(saved, res);
            }
            if (res.corruptions < old.corruptions) {
                res.corruptionsFixed += old.corruptions - res.corruptions;
            }
            if (res.leaks < old.leaks) {
                res.leaksFixed += old.leaks - res.leaks;
            }
            res.leaks += freshLeaks;
        } else if (fix != 0) {
            if (rebuild[0]) {
                s.out.print("ERROR need to rebuild refcount structures");
                res.checkErrors++;
                return -Errno.EIO;
            }
            if (res.leaks != 0 || res.corruptions != 0) {
                copyInto(preCompare, res);
                highest = compare(s, r, res, fix, rebuild, t);
            }
        }
        ret = checkOflagCopied(s, r, res, fix);
        if (ret < 0) {
            return ret;
        }
        res.imageEndOffset = (highest + 1) * s.layout.clusterSize;
        return 0;
    }

    private static void copyInto(Result from, Result to) {
        to.corruptions = from.corruptions;
        to.leaks = from.leaks;
        to.checkErrors = from.checkErrors;
        to.corruptionsFixed = from.corruptionsFixed;
        to.leaksFixed = from.leaksFixed;
        to.imageEndOffset = from.imageEndOffset;
    }
}
