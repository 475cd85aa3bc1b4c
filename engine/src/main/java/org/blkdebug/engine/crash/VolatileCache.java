package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;

/**
 * The disk's volatile write cache, below blkdebug: the power-loss model.
 *
 * <p>It is the file node's backend, over the image's: what the disk is to file-posix. A completed
 * write lives here until a flush that reached the disk after it completed has
 * completed: only then is it written to the image, which therefore always holds exactly the
 * durable state D. Reads see the newest data (cache over image). A crash keeps D plus a chosen
 * subset of the volatile writes; {@link #snapshot} freezes "what a crash now could leave" without
 * stopping the device.
 *
 * <p><b>The page-cache model</b> ({@link #pageCache}), for a file of the file system: a write goes
 * through to the file at once, as the OS's page cache makes it visible to every reader, and the
 * cache keeps what it replaced ({@link Entry#before()}); a crash puts the durable bytes back.
 * Its unit is a 4 KiB page instead of a 512-byte sector.
 *
 * <p><b>Locks.</b> {@link #lock} guards the entries, the extent index and the counters; it is held
 * for memory work only, never across image I/O (spilled data is read under it). {@link #imageLock}
 * is held while the image changes (a flush writing entries to it, a resize, a crash) and while a
 * snapshot is taken, so a snapshot never sees a half-written flush. Order: imageLock, then a
 * snapshot's write lock, then lock. None is ever held across a park.
 */
public final class VolatileCache implements Backend {
    /** Sectors of the device model: each 512-byte sector of a write is atomic. */
    public static final int SECTOR = 512;
    /** Pages of the page-cache model: a file's write is torn by 4 KiB page. */
    public static final int PAGE = 4096;

    private final Backend image;
    /** The page-cache model: writes go through to the image, which a crash undoes. */
    private final boolean writeThrough;
    /** The atomic unit of a torn write: {@link #SECTOR} or {@link #PAGE}. */
    private final int unit;
    /** Numbers completed writes (a file system shares one among its files), or null for {@link #seq}. */
    private final java.util.function.LongSupplier order;
    private final long memoryLimit;
    private final Spill spill;
    private final WriteLogWriter log;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock imageLock = new ReentrantLock();
    /** Guarded by lock: the volatile entries, oldest (first completed) first. */
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    /**
     * Guarded by lock: the newest writer of each byte, for reads. Built lazily: entries added since
     * the last read wait in {@link #unindexed}, so a run of writes that a flush empties (a log, a
     * benchmark) never pays for the index.
     */
    private final Extents extents = new Extents();
    /** Guarded by lock: entries not in {@link #extents} yet, oldest first. */
    private final List<Entry> unindexed = new ArrayList<>();
    /** Guarded by lock: open snapshots (each must see D preserved before the image changes). */
    private final List<Snapshot> snapshots = new ArrayList<>();
    /** Guarded by lock: numbers completed writes. */
    private long seq;
    /** Guarded by lock: where cached write data lives up to {@link #memoryLimit}. */
    private final CacheMemory memory;
    /**
     * Guarded by lock: memory of entries that left the cache while a snapshot could still read
     * them, released when the last snapshot closes.
     */
    private final List<CacheMemory.Block> deferred = new ArrayList<>();
    /** memory.allocated(), for {@link #memoryBytes} without the lock; written under lock. */
    private volatile long heapBytes;
    /**
     * The page-cache model: the file's length at the last fsync, which a crash goes back to
     * unless a kept write needs more. Guarded by imageLock.
     */
    private long durableLength;
    /** entries.size(), for reads that find the cache empty without the lock. */
    private volatile int count;
    /**
     * The end of the furthest cached write or write-zeroes: a write past the image's end makes the
     * file longer at once (its length is not cached, as the page cache does not cache it), so
     * a format that grows its file reads back what it appended. Written under lock.
     */
    private volatile long cachedEnd;
    private volatile boolean crashed;

    /**
     * @param spillDir    where data beyond {@code memoryLimit} goes (next to the image)
     * @param spillPrefix the spill file's name prefix (the image's name)
     * @param writeLog    the {@code --log-writes} file, or null
     */
    public VolatileCache(Backend image, Path spillDir, String spillPrefix, long memoryLimit, Path writeLog)
            throws OpenException {
        this(image, spillDir, spillPrefix, memoryLimit, writeLog, false, null);
    }

    private VolatileCache(Backend image, Path spillDir, String spillPrefix, long memoryLimit, Path writeLog,
                          boolean writeThrough, java.util.function.LongSupplier order) throws OpenException {
        this.writeThrough = writeThrough;
        this.unit = writeThrough ? PAGE : SECTOR;
        this.order = order;
        this.image = image;
        this.memoryLimit = memoryLimit;
        this.memory = new CacheMemory(writeThrough ? 0 : memoryLimit);
        try {
            this.durableLength = image.length();
        } catch (BlockException e) {
            throw new OpenException(e.getMessage(), e);
        }
        this.spill = new Spill(spillDir, spillPrefix);
        try {
            this.log = writeLog == null ? null : new WriteLogWriter(writeLog, image.length());
        } catch (IOException e) {
            throw new OpenException("Could not open write log '" + writeLog + "': "
                    + Errno.message(e instanceof BlockException b ? b.errno() : Errno.of(e)), e);
        }
    }

    /**
     * The page-cache model over a file: writes go through to it at once (so every reader of the
     * file sees them, as under an OS), torn by 4 KiB page; a crash puts back what they replaced
     * unless a flush ({@code fsync}) made them durable. {@code order} numbers the writes (a file
     * system shares one numbering among its files).
     */
    public static VolatileCache pageCache(Backend file, java.util.function.LongSupplier order) throws OpenException {
        return new VolatileCache(file, Path.of(System.getProperty("java.io.tmpdir")), "blkdebug-", Long.MAX_VALUE,
                null, true, order);
    }

    /** The atomic unit of a torn write here: 512 (a disk's sector) or 4096 (a file's page). */
    public int unit() {
        return unit;
    }

    private long nextSeq() {
        return order != null ? order.getAsLong() : ++seq;
    }

    private void checkLive() throws BlockException {
        if (crashed) {
            throw new BlockException(Errno.ENOMEDIUM); // the power is gone
        }
    }

    // ---- the request path ----------------------------------------------------------------------

    /** Reads the newest data: cached pieces, the image for the rest. */
    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        checkLive();
        if (count == 0 || writeThrough) {
            image.read(offset, dst); // nothing volatile: the common case takes no lock
            return;
        }
        long bytes = dst.size();
        long end = offset + bytes;
        List<long[]> gaps = new ArrayList<>(1);
        lock.lock();
        try {
            checkLive();
            long pos = offset;
            index();
            for (Extents.Extent x : extents.overlapping(offset, bytes)) {
                long s = Math.max(x.start(), offset);
                long e = Math.min(x.end(), end);
                if (s > pos) {
                    gaps.add(new long[] {pos, s});
                }
                copy(x.entry(), s, e, dst.slice(s - offset, e - s));
                pos = e;
            }
            if (pos < end) {
                gaps.add(new long[] {pos, end});
            }
        } finally {
            lock.unlock();
        }
        // A gap had no volatile writer when looked at: the image holds its newest durable bytes,
        // and a flush only drops an entry after writing it there.
        for (long[] g : gaps) {
            image.read(g[0], dst.slice(g[0] - offset, g[1] - g[0]));
        }
    }

    /** Copies {@code [s, e)} of the image as {@code en} wrote it into {@code dst}. */
    static void copy(Entry en, long s, long e, IoVec dst) throws BlockException {
        long from = s - en.offset();
        for (ByteBuffer b : dst.segments()) {
            int n = b.remaining();
            en.copy(from, n, b);
            from += n;
        }
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        write(offset, src, false);
    }

    /** A completed write: volatile until a flush covers it. */
    @Override
    public void write(long offset, IoVec src, boolean fua) throws BlockException {
        checkLive();
        if (writeThrough) {
            byte[] data = src.toArray();
            through(Entry.Kind.WRITE, offset, data.length, fua, data);
            return;
        }
        long len = src.size();
        lock.lock();
        try {
            checkLive();
            long spillAt = -1;
            CacheMemory.Block mem = memory.allocate(len);
            if (mem == null) {
                spillAt = spill.append(src);
            } else {
                src.copyTo(mem.buffer());
                heapBytes = memory.allocated();
            }
            add(new Entry(nextSeq(), Entry.Kind.WRITE, offset, len, fua, mem, mem == null ? spill : null, spillAt));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        zero(offset, length, Entry.Kind.ZEROES, false);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws BlockException {
        zero(offset, length, Entry.Kind.ZEROES, fua);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua, boolean unmap) throws BlockException {
        zero(offset, length, unmap ? Entry.Kind.ZEROES_UNMAP : Entry.Kind.ZEROES, fua);
    }

    /** Cached like a write-zeroes; the image gets a real discard when it is written out. */
    @Override
    public void discard(long offset, long length) throws BlockException {
        zero(offset, length, Entry.Kind.DISCARD, false);
    }

    /**
     * Block status: a cached write (zeroes too: they are not on the image yet) is data; elsewhere
     * the image answers, up to the next cached write.
     */
    @Override
    public Extent extentAt(long offset) {
        if (crashed) {
            return null;
        }
        if (count == 0 || writeThrough) {
            return image.extentAt(offset);
        }
        long next;
        lock.lock();
        try {
            index(); // the index is built lazily: entries since the last read are not in it yet
            Extents.Extent x = extents.atOrAfter(offset);
            if (x != null && x.start() <= offset) {
                return new Extent(true, x.end());
            }
            next = x == null ? Long.MAX_VALUE : x.start();
        } finally {
            lock.unlock();
        }
        Extent e = image.extentAt(offset);
        return e == null || e.end() <= next ? e : new Extent(e.data(), next);
    }

    @Override
    public long length() throws BlockException {
        return Math.max(image.length(), cachedEnd);
    }

    /** The image file's (probed at open, while this cache is still empty). */
    @Override
    public long probeDirectIoAlignment() throws OpenException {
        return image.probeDirectIoAlignment();
    }

    @Override
    public void truncate(long length) throws BlockException {
        resize(length);
    }

    /** The image below says which modes it takes (a file, or {@code -s}'s overlay). */
    @Override
    public void checkPreallocation(long current, long length, String prealloc) throws BlockException {
        image.checkPreallocation(current, length, prealloc);
    }

    /** A completed write-zeroes or discard ({@code kind}): both read as zeroes. */
    private void zero(long offset, long length, Entry.Kind kind, boolean fua) throws BlockException {
        checkLive();
        if (writeThrough) {
            through(kind, offset, length, fua, null);
            return;
        }
        lock.lock();
        try {
            checkLive();
            add(new Entry(nextSeq(), kind, offset, length, fua,
                    null, null, -1));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The page-cache model's write: keeps what the range holds, writes through, records both. The
     * image lock keeps a snapshot from seeing the write without its entry (or the reverse).
     */
    private void through(Entry.Kind kind, long offset, long length, boolean fua, byte[] data) throws BlockException {
        imageLock.lock();
        try {
            List<Snapshot> open = openSnapshots();
            long inside = Math.max(0, Math.min(length, image.length() - offset));
            byte[] before = new byte[Math.toIntExact(length)];
            if (inside > 0) {
                image.read(offset, IoVec.of(ByteBuffer.wrap(before, 0, (int) inside)));
            }
            CacheMemory.Block mem = data == null ? null : new CacheMemory.Block(ByteBuffer.wrap(data), null);
            Entry e = new Entry(0, kind, offset, length, fua, mem, null, -1, before);
            apply(e, null, open);
            lock.lock();
            try {
                add(new Entry(nextSeq(), kind, offset, length, fua, mem, null, -1, before));
            } finally {
                lock.unlock();
            }
        } finally {
            imageLock.unlock();
        }
    }

    /** The snapshots open now, which a change of the image must preserve D for. */
    private List<Snapshot> openSnapshots() throws BlockException {
        lock.lock();
        try {
            checkLive();
            return List.copyOf(snapshots);
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock. */
    private void add(Entry e) throws BlockException {
        if (log != null) {
            log.entry(e);
        }
        entries.addLast(e);
        unindexed.add(e);
        count = entries.size();
        if (e.kind() != Entry.Kind.DISCARD && e.end() > cachedEnd) {
            cachedEnd = e.end();
        }
    }

    /**
     * {@code flush_to_disk} reached the disk: every write completed before now becomes durable
     * (written to the image, which is then synced); writes completing meanwhile stay volatile.
     */
    @Override
    public void flush() throws BlockException {
        imageLock.lock();
        try {
            List<Entry> covered;
            List<Snapshot> open;
            lock.lock();
            try {
                checkLive();
                covered = new ArrayList<>(entries);
                open = List.copyOf(snapshots);
                if (log != null) {
                    log.flushIssued();
                }
            } finally {
                lock.unlock();
            }
            boolean ok = false;
            try {
                if (!writeThrough) { // through the page cache, the file has them already
                    applyAll(covered, open);
                }
                image.flush();
                durableLength = image.length();
                ok = true;
            } finally {
                lock.lock();
                try {
                    if (ok) {
                        boolean all = covered.size() == entries.size(); // nothing completed meanwhile
                        if (all) {
                            unindexed.clear();
                        } else {
                            index();
                        }
                        for (int i = 0; i < covered.size(); i++) {
                            Entry e = entries.pollFirst();
                            if (!all) {
                                extents.remove(e);
                            }
                            dropped(e);
                        }
                        if (all) {
                            extents.clear();
                        }
                        count = entries.size();
                        if (entries.isEmpty() && snapshots.isEmpty()) {
                            spill.reset();
                        }
                    }
                    if (log != null) {
                        log.flushEnded(ok);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            imageLock.unlock();
        }
    }

    /**
     * Writes {@code entries} to the image in their order. Why it gathers: a disk's cache writes
     * back what is adjacent in one go, and so does this one. A run of writes that each start where
     * the previous one ended (a log, a sequential benchmark) goes to the image in one write of up
     * to {@link #GATHER} bytes instead of one per entry; the image ends up the same, since a run
     * never overlaps itself and runs keep their order. With snapshots open each write goes alone
     * (a snapshot keeps what each one replaces). imageLock held.
     */
    private void applyAll(List<Entry> entries, List<Snapshot> open) throws BlockException {
        if (!open.isEmpty()) {
            for (Entry e : entries) {
                apply(e, null, open);
            }
            return;
        }
        int i = 0;
        int n = entries.size();
        while (i < n) {
            Entry e = entries.get(i);
            int j = i + 1;
            long bytes = e.length();
            if (e.hasData()) {
                while (j < n && entries.get(j).hasData() && entries.get(j).offset() == entries.get(j - 1).end()
                        && bytes + entries.get(j).length() <= GATHER) {
                    bytes += entries.get(j++).length();
                }
            }
            if (j == i + 1) {
                apply(e, null, open);
            } else {
                if (gather == null) {
                    gather = ByteBuffer.allocateDirect(GATHER);
                }
                gather.clear();
                for (int k = i; k < j; k++) {
                    Entry g = entries.get(k);
                    g.copy(0, (int) g.length(), gather);
                }
                image.write(e.offset(), IoVec.of(gather.flip()));
            }
            i = j;
        }
    }

    /** Bytes one gathered write-back may hold. */
    private static final int GATHER = 1 << 20;
    /** Guarded by imageLock. The gathered write-back's buffer, made at the first run of two. */
    private ByteBuffer gather;

    /**
     * Writes {@code e} (only {@code sectors} of it, when not null) to the image; first the bytes it
     * replaces go to every open snapshot. imageLock held.
     */
    private void apply(Entry e, BitSet sectors, List<Snapshot> open) throws BlockException {
        for (Snapshot s : open) {
            s.rw.writeLock().lock();
        }
        try {
            for (Snapshot s : open) {
                s.preserve(e.offset(), e.length());
            }
            if (sectors == null) {
                write(e, e.offset(), e.end());
            } else {
                for (int k = sectors.nextSetBit(0); k >= 0; k = sectors.nextSetBit(k + 1)) {
                    long[] r = sector(e, k, unit);
                    write(e, r[0], r[1]);
                }
            }
        } finally {
            for (Snapshot s : open) {
                s.rw.writeLock().unlock();
            }
        }
    }

    private void write(Entry e, long s, long end) throws BlockException {
        switch (e.kind()) {
            case ZEROES -> image.writeZeroes(s, end - s);
            case ZEROES_UNMAP -> image.writeZeroes(s, end - s, false, true);
            case DISCARD -> image.discard(s, end - s);
            case WRITE -> {
                if (e.mem() != null) {
                    image.write(s, IoVec.of(e.memSlice(s - e.offset(), end - s)));
                } else {
                    for (long at = s; at < end; ) {
                        int n = (int) Math.min(end - at, 1 << 20);
                        ByteBuffer b = ByteBuffer.allocate(n);
                        e.copy(at - e.offset(), n, b);
                        image.write(at, IoVec.of(b.flip()));
                        at += n;
                    }
                }
            }
        }
    }

    /** How many {@code unit}-byte sectors {@code e} touches. */
    static int sectors(Entry e, int unit) {
        if (e.length() == 0) {
            return 1;
        }
        long first = Math.floorDiv(e.offset(), unit);
        long last = Math.floorDiv(e.end() - 1, unit);
        return Math.toIntExact(last - first + 1);
    }

    /** The bytes of {@code e} in its {@code k}-th sector: {@code [start, end)}. */
    static long[] sector(Entry e, int k, int unit) {
        long base = Math.floorDiv(e.offset(), unit) * unit + (long) k * unit;
        return new long[] {Math.max(e.offset(), base), Math.min(e.end(), base + unit)};
    }

    /**
     * A resize: not cached, durable when it completes (the image's length is metadata a disk
     * does not buffer). Shrinking drops cached bytes past the new end.
     */
    public void resize(long newLength) throws BlockException {
        imageLock.lock();
        try {
            if (newLength < durableLength) {
                durableLength = newLength; // a shrink is durable at once (not undone by a crash)
            }
            List<Snapshot> open = openSnapshots();
            long old = image.length();
            for (Snapshot s : open) {
                s.rw.writeLock().lock();
            }
            try {
                if (newLength < old) {
                    for (Snapshot s : open) {
                        s.preserve(newLength, old - newLength);
                    }
                }
                image.truncate(newLength);
            } finally {
                for (Snapshot s : open) {
                    s.rw.writeLock().unlock();
                }
            }
            lock.lock();
            try {
                if (newLength < Math.max(old, cachedEnd)) {
                    clipTo(newLength);
                }
                if (log != null) {
                    log.resize(newLength);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            imageLock.unlock();
        }
    }

    /** Guarded by lock: cuts every entry at {@code end}, as the image was. */
    private void clipTo(long end) {
        List<Entry> kept = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Entry c = e.clip(end);
            if (c != null) {
                kept.add(c); // shares e's memory
            } else {
                dropped(e);
            }
        }
        entries.clear();
        entries.addAll(kept);
        extents.clear();
        unindexed.clear();
        unindexed.addAll(kept);
        count = entries.size();
        cachedEnd = Math.min(cachedEnd, end);
    }

    /** Guarded by lock: brings {@link #extents} up to date. */
    private void index() {
        if (!unindexed.isEmpty()) {
            for (Entry e : unindexed) {
                extents.put(e);
            }
            unindexed.clear();
        }
    }

    /**
     * Guarded by lock: {@code e} left the cache; its memory is reused once no snapshot can read
     * it (a snapshot holds the entry list of its moment).
     */
    private void dropped(Entry e) {
        if (e.mem() == null || writeThrough) {
            return;
        }
        if (snapshots.isEmpty()) {
            memory.release(e.mem());
            heapBytes = memory.allocated();
        } else {
            deferred.add(e.mem());
        }
    }

    // ---- crashes ---------------------------------------------------------------------------------

    /**
     * What a crash now could leave, frozen while the device goes on. <b>Close it</b>: while it is
     * open, flushes keep the bytes they overwrite for it and the spill file is not emptied.
     */
    Snapshot snapshot() throws BlockException {
        imageLock.lock(); // not in the middle of a flush's writes to the image
        try {
            lock.lock();
            try {
                checkLive();
                long len = image.length();
                Snapshot s = new Snapshot(new ArrayList<>(entries), len, writeThrough ? durableLength : len, image,
                        this, writeThrough);
                snapshots.add(s);
                return s;
            } finally {
                lock.unlock();
            }
        } finally {
            imageLock.unlock();
        }
    }

    /**
     * Hands every distinct state a crash now could leave to {@code checker} (see
     * {@link CrashStates}); the device goes on meanwhile and is left as it was.
     */
    public CrashStates.Report crashStates(CrashStates.Options options, CrashStates.Checker checker)
            throws BlockException {
        try (Snapshot s = snapshot()) {
            return CrashStates.run(s, unit, options, checker);
        }
    }

    /** This cache's states, frozen, for a file system that combines its files' (see {@link FileStates}). */
    public FileStates states(boolean torn) throws BlockException {
        Snapshot s = snapshot();
        try {
            return new FileStates(s, new CrashSpace(s, unit, torn));
        } catch (BlockException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** How many units (pages or sectors) each volatile write has, oldest first. */
    public int[] volatileUnits() {
        lock.lock();
        try {
            return sectorCounts(new ArrayList<>(entries), unit);
        } finally {
            lock.unlock();
        }
    }

    void release(Snapshot s) {
        lock.lock();
        try {
            snapshots.remove(s);
            if (snapshots.isEmpty() && !deferred.isEmpty()) {
                for (CacheMemory.Block b : deferred) {
                    memory.release(b);
                }
                deferred.clear();
                heapBytes = memory.allocated();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The power goes: from now on every request here fails with ENOMEDIUM, and the image becomes
     * the state {@code choice} picks (D plus the kept writes, applied in completion order, each
     * sector atomic), synced. Returns the choice made explicit.
     */
    public CrashChoice.Explicit crash(CrashChoice choice) throws BlockException {
        List<Entry> volatileNow;
        CrashChoice.Explicit explicit;
        imageLock.lock();
        try {
            lock.lock();
            try {
                checkLive();
                volatileNow = new ArrayList<>(entries);
                // a choice that does not fit fails here, before anything is lost
                explicit = choice.resolve(sectorCounts(volatileNow, unit));
                crashed = true;
                if (log != null) {
                    log.mark("crash " + explicit);
                }
            } finally {
                lock.unlock();
            }
            if (writeThrough) {
                undo(volatileNow);
            }
            long keptEnd = 0;
            for (CrashChoice.Keep k : explicit.keep()) {
                Entry e = volatileNow.get(k.write() - 1);
                apply(e, k.sectors(), List.of());
                keptEnd = Math.max(keptEnd, k.sectors() == null ? e.end()
                        : sector(e, k.sectors().length() - 1, unit)[1]);
            }
            if (writeThrough) { // the file's length goes back to its last fsync's, or what a kept write needs
                long len = Math.max(durableLength, keptEnd);
                if (len < image.length()) {
                    image.truncate(len);
                }
            }
            image.flush();
            return explicit;
        } finally {
            imageLock.unlock();
        }
    }

    /**
     * The page-cache model's crash: puts back the durable bytes of every range a volatile write
     * touched (newest first, so the oldest write's "before" ends up on top). imageLock held.
     */
    private void undo(List<Entry> volatileNow) throws BlockException {
        for (int i = volatileNow.size() - 1; i >= 0; i--) {
            Entry e = volatileNow.get(i);
            long inside = Math.max(0, Math.min(e.length(), image.length() - e.offset()));
            if (inside > 0) {
                image.write(e.offset(), IoVec.of(ByteBuffer.wrap(e.before(), 0, (int) inside)));
            }
        }
    }

    /** Checks that {@code choice} fits the writes volatile now, without crashing. */
    public CrashChoice.Explicit resolve(CrashChoice choice) {
        lock.lock();
        try {
            return choice.resolve(sectorCounts(new ArrayList<>(entries), unit));
        } finally {
            lock.unlock();
        }
    }

    static int[] sectorCounts(List<Entry> es, int unit) {
        int[] n = new int[es.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = sectors(es.get(i), unit);
        }
        return n;
    }

    /** {@code mark NAME} in the write log. */
    public void mark(String name) throws BlockException {
        if (log == null) {
            throw new BlockException(Errno.ENOTSUP);
        }
        lock.lock();
        try {
            checkLive();
            log.mark(name);
        } finally {
            lock.unlock();
        }
    }

    public boolean logsWrites() {
        return log != null;
    }

    /** The numbers of the writes volatile now, oldest first (a file system orders them across files). */
    public List<Long> volatileSeqs() {
        lock.lock();
        try {
            List<Long> out = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                out.add(e.seq());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** How many writes are volatile now. */
    public int volatileWrites() {
        return count;
    }

    /** Bytes of volatile data held in memory now (the rest is in the spill file). */
    public long memoryBytes() {
        return heapBytes;
    }

    /** Bytes in the spill file now (0 when none). */
    public long spilledBytes() {
        lock.lock();
        try {
            return spill.size();
        } finally {
            lock.unlock();
        }
    }

    public boolean crashed() {
        return crashed;
    }

    /**
     * A normal close: the host would write the cache out in time, so everything still volatile
     * goes to the image (even under cache=unsafe); after a crash, nothing does. Then the image
     * closes.
     */
    @Override
    public void close() throws BlockException {
        try {
            closeCache();
        } finally {
            image.close();
        }
    }

    /** The device failed to open: drops the write log and spill file, leaves the image alone. */
    public void abandon() {
        crashed = true;
        spill.close();
        if (log != null) {
            log.close();
        }
    }

    private void closeCache() throws BlockException {
        try {
            imageLock.lock();
            try {
                if (!crashed) {
                    List<Entry> all;
                    lock.lock();
                    try {
                        all = new ArrayList<>(entries);
                        entries.clear();
                        extents.clear();
                        unindexed.clear();
                        count = 0;
                        memory.clear(); // the entries in `all` keep their chunks until written out
                        deferred.clear();
                        heapBytes = 0;
                        crashed = true; // closed: nothing more comes in
                    } finally {
                        lock.unlock();
                    }
                    if (!writeThrough) { // through the page cache, the file has them already
                        applyAll(all, List.of());
                    }
                }
            } finally {
                imageLock.unlock();
            }
        } finally {
            spill.close();
            if (log != null) {
                log.close();
            }
        }
    }
}
