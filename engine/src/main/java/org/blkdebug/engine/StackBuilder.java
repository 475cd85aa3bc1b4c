package org.blkdebug.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.BlkDebugNode;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.FileNode;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Limits;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.block.RawNode;
import org.blkdebug.engine.config.ConfigFile;
import org.blkdebug.engine.crash.VolatileCache;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.time.RequestClock;

/**
 * Builds the node stack for a {@link DeviceSpec} once its config file has been read, in the
 * order QEMU's open does it: image, blkdebug limits, {@code none} event, then the format.
 */
final class StackBuilder {
    /** What QEMU 7.2 was seen to read when probing (docs/qemu-7.2-observed-events.md). */
    private static final int PROBE_BYTES = 512;

    private StackBuilder() {
    }

    /**
     * @param configInjects inject-error rules from the config file (before the option rules)
     * @param configSets    set-state rules from the config file
     */
    static BlockDevice build(DeviceSpec spec, OpenOptions o, Backend backend,
                             List<Rule.InjectError> configInjects, List<Rule.SetState> configSets)
            throws OpenException {
        return build(spec, o, backend, configInjects, configSets, List.of());
    }

    /** @param configCustom custom events declared in the config file (before the options' ones) */
    static BlockDevice build(DeviceSpec spec, OpenOptions o, Backend backend,
                             List<Rule.InjectError> configInjects, List<Rule.SetState> configSets,
                             List<CustomEvent> configCustom) throws OpenException {
        return build(spec, o, backend, configInjects, configSets, configCustom, List.of());
    }

    /** @param configDelays inject-delay rules of the config file (ours; before the options' ones) */
    static BlockDevice build(DeviceSpec spec, OpenOptions o, Backend backend,
                             List<Rule.InjectError> configInjects, List<Rule.SetState> configSets,
                             List<CustomEvent> configCustom, List<Rule.InjectDelay> configDelays)
            throws OpenException {
        RequestTracker tracker = new RequestTracker();
        BlkDebugOptions bo = spec.blkdebug();
        RequestClock clock = bo != null && bo.virtualClock() ? RequestClock.virtual(tracker)
                : RequestClock.wall(tracker);
        VolatileCache cache = o.volatileCache() || o.writeLog() != null
                ? volatileCache(spec, o, backend) // the disk's cache, over the image
                : null;
        try {
            if (spec.tree() != null || spec.format() == DeviceSpec.Format.PROBE
                    || spec.format() == DeviceSpec.Format.QCOW2) {
                // a graph with a format other than named raw (a probe may find qcow2)
                return TreeBuilder.build(spec, o, cache != null ? cache : backend,
                        new ConfigFile.Rules(configInjects, configSets, configCustom, configDelays),
                        tracker, clock, cache);
            }
            return build(spec, o, backend, configInjects, configSets, configCustom, configDelays, tracker, clock,
                    cache);
        } catch (OpenException | RuntimeException e) {
            if (cache != null) {
                cache.abandon(); // its write log and spill file; the caller closes the image
            }
            throw e;
        }
    }

    private static BlockDevice build(DeviceSpec spec, OpenOptions o, Backend backend,
                                     List<Rule.InjectError> configInjects, List<Rule.SetState> configSets,
                                     List<CustomEvent> configCustom, List<Rule.InjectDelay> configDelays,
                                     RequestTracker tracker, RequestClock clock, VolatileCache cache)
            throws OpenException {
        BlkDebugOptions bo = spec.blkdebug();
        FileNode file = new FileNode(cache != null ? cache : backend, o.readOnly(), o.byteLength());
        configure(file, o);
        checkNativeAio(false, o);
        if (o.cache().direct()) {
            file.openDirect(o.nativeAio());
        }
        Node below = file;
        BlkDebugNode blkdebug = null;
        if (bo != null) {
            blkdebug = blkdebugNode(bo, file, configInjects, configSets, configCustom, configDelays, o,
                    tracker, clock);
            below = blkdebug;
        }
        Node top = below;
        if (spec.format().raw()) {
            top = new RawNode(below, false);
            configure(top, o);
        }
        discardPolicy(top, o);
        checkWritePermission(top, o);
        copyOnRead(top, o);
        return new BlockDevice(top, blkdebug, o.cache(), tracker, clock, cache, o.snapshot());
    }

    /**
     * file-posix's raw_open_common, once the file is open: {@code aio=native} (the node's option,
     * or qemu-io's {@code -k} for every file node) needs O_DIRECT.
     */
    static void checkNativeAio(boolean nodeOption, OpenOptions o) throws OpenException {
        if ((nodeOption || o.nativeAio()) && !o.cache().direct()) {
            throw new OpenException("aio=native was specified, but it requires cache.direct=on, "
                    + "which was not specified.");
        }
    }

    /** qemu-io {@code -C}: copy-on-read on the top node only, as children do not inherit it. */
    static void copyOnRead(Node top, OpenOptions o) throws OpenException {
        if (o.copyOnRead()) {
            if (o.readOnly()) {
                throw new OpenException("Can't use copy-on-read on read-only device");
            }
            top.enableCopyOnRead();
        }
    }

    /**
     * A blkdebug node over {@code image} (opened already): options validated against its
     * alignment, the config file's rules first, then the options'; fires {@code none} at the
     * end, as QEMU's blkdebug_open.
     */
    static BlkDebugNode blkdebugNode(BlkDebugOptions bo, Node image,
                                     List<Rule.InjectError> configInjects, List<Rule.SetState> configSets,
                                     List<CustomEvent> configCustom, List<Rule.InjectDelay> configDelays,
                                     OpenOptions o, RequestTracker tracker, RequestClock clock)
            throws OpenException {
        bo.validate(image.limits().requestAlignment());
        List<Rule.InjectError> injects = new ArrayList<>(configInjects);
        injects.addAll(bo.injectErrors());
        List<Rule.SetState> sets = new ArrayList<>(configSets);
        sets.addAll(bo.setStates());
        Set<CustomEvent> custom = new LinkedHashSet<>(configCustom);
        for (String name : bo.customEvents()) {
            custom.add(new CustomEvent(name)); // validated above
        }
        checkDeclared(injects, custom);
        checkDeclared(sets, custom);
        List<Rule.InjectDelay> delays = new ArrayList<>(configDelays);
        delays.addAll(bo.injectDelays());
        checkDeclared(delays, custom);
        // ThreadLocalRandom, not SecureRandom: the seed only varies runs (it is printed for replay), and
        // SecureRandom's providers cost a script's start-up tens of milliseconds
        long seed = bo.seed() != null ? bo.seed() : java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1;
        BlkDebugRules rules = new BlkDebugRules(injects, sets, List.copyOf(custom), delays, seed, clock,
                o.listener());
        if (rules.draws()) {
            o.listener().seed(seed); // "blkdebug: seed N": giving it back replays every draw
        }
        Limits limits = new Limits(Math.max(bo.align(), 1), bo.maxTransfer(), bo.optWriteZero(),
                bo.maxWriteZero(), bo.optDiscard(), bo.maxDiscard());
        BlkDebugNode blkdebug = new BlkDebugNode(image, rules, limits);
        configure(blkdebug, o);
        // QEMU fires "none" once, at the very end of a successful blkdebug open
        Request r = tracker.begin(Operation.EVENT, 0, 0, null);
        try {
            rules.event(Event.NONE, r);
        } finally {
            tracker.end(r);
        }
        return blkdebug;
    }

    /**
     * bdrv_check_perm, when the opened device is attached to qemu-io's root, which takes WRITE
     * but not RESIZE: every node that gets WRITE without RESIZE needs a length (whole sectors) that
     * is a multiple of its request alignment — blkdebug's {@code align}, a file's O_DIRECT
     * alignment. raw and blkdebug pass both permissions on; a format that grows its file (qcow2)
     * takes RESIZE for it, so the walk ends there. Under {@code -s} the image is the backing of
     * QEMU's temporary qcow2 overlay, opened read-only (bdrv_backing_options), so nothing below
     * the overlay gets WRITE (difftest seed 150000000 session 6255).
     */
    static void checkWritePermission(Node top, OpenOptions o) throws OpenException {
        if (o.readOnly() || o.snapshot()) {
            return;
        }
        for (Node n = top; n instanceof RawNode || n instanceof BlkDebugNode || n instanceof FileNode; n = n.child()) {
            long align = n.limits().requestAlignment();
            if (align > 1 && lengthOf(n) % align != 0) {
                throw new OpenException("Cannot get 'write' permission without 'resize': "
                        + "Image size is not a multiple of request alignment");
            }
        }
    }

    /** The disk's cache below blkdebug; data past its memory limit spills next to the image. */
    private static VolatileCache volatileCache(DeviceSpec spec, OpenOptions o, Backend backend) throws OpenException {
        if (o.pageCacheOrder() != null) {
            return VolatileCache.pageCache(backend, o.pageCacheOrder());
        }
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        String prefix = "blkdebug-";
        if (backend instanceof org.blkdebug.engine.block.FileBackend) {
            try {
                java.nio.file.Path image = java.nio.file.Path.of(spec.filename()).toAbsolutePath();
                if (image.getParent() != null && java.nio.file.Files.isWritable(image.getParent())) {
                    dir = image.getParent();
                    prefix = image.getFileName() + ".";
                }
            } catch (java.nio.file.InvalidPathException e) {
                // the temp directory will do
            }
        }
        return new VolatileCache(backend, dir, prefix, o.volatileLimit(), o.writeLog());
    }

    /** A rule on an undeclared custom event fails like a misspelt QEMU event (builder rules). */
    private static void checkDeclared(List<? extends Rule> rules, Set<CustomEvent> declared) throws OpenException {
        for (Rule r : rules) {
            if (r.event() instanceof CustomEvent c && !declared.contains(c)) {
                throw new OpenException("invalid parameter value: " + c.name());
            }
        }
    }

    static void configure(Node n, OpenOptions o) {
        n.configure(o.cache().noFlush(), o.readOnly());
        // BDRV_O_UNMAP below the top: discard=unmap by default whatever the parent's, as block.c's
        // bdrv_inherited_options sets it ("bdrv_co_pdiscard() respects unmap policy for the parent")
        n.setUnmap(true);
    }

    /**
     * qemu-io {@code -d} on the node it opened only: with {@code ignore}/{@code off} that node
     * drops discards, while a write-zeroes that may unmap still unmaps below it (the file node
     * punches its hole; scenario 250).
     */
    static void discardPolicy(Node top, OpenOptions o) {
        top.setUnmap(o.unmap());
    }

    private static long lengthOf(Node n) throws OpenException {
        try {
            return n.length();
        } catch (BlockException e) {
            throw new OpenException(e.getMessage(), e);
        }
    }

    /**
     * Format probing reads the start of the image through blkdebug (rules armed by {@code none}
     * apply) before a format driver exists, so no {@code read_aio} fires. Returns the bytes read
     * (none for an empty image, which QEMU takes for raw without reading).
     */
    static byte[] probe(Node below, RequestTracker tracker) throws OpenException {
        Request r = tracker.begin(Operation.READ, 0, PROBE_BYTES, null);
        try {
            long len = below.length();
            if (len == 0) {
                return new byte[0];
            }
            byte[] buf = new byte[PROBE_BYTES];
            BlockIo.preadv(below, r, 0, PROBE_BYTES, IoVec.of(java.nio.ByteBuffer.wrap(buf)));
            return buf;
        } catch (BlockException e) {
            throw new OpenException("Could not read image for determining its format: " + e.getMessage(), e);
        } finally {
            tracker.end(r);
        }
    }
}
