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
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;

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
        if (spec.tree() != null || spec.format() == DeviceSpec.Format.PROBE) {
            // a graph with a format other than named raw (a probe may find qcow2)
            return TreeBuilder.build(spec, o, backend, new ConfigFile.Rules(configInjects, configSets, configCustom));
        }
        RequestTracker tracker = new RequestTracker();
        FileNode file = new FileNode(backend, o.readOnly());
        configure(file, o);
        Node below = file;
        BlkDebugNode blkdebug = null;
        BlkDebugOptions bo = spec.blkdebug();
        if (bo != null) {
            blkdebug = blkdebugNode(bo, file, backend, configInjects, configSets, configCustom, o, tracker);
            below = blkdebug;
        }
        Node top = below;
        if (spec.format().raw()) {
            top = new RawNode(below, false);
            configure(top, o);
        }
        return new BlockDevice(top, blkdebug, o.cache(), tracker);
    }

    /**
     * A blkdebug node over {@code image}: options validated, the config file's rules first, then
     * the options'; fires {@code none} at the end, as QEMU's blkdebug_open.
     *
     * @param backend the image's backend when {@code image} is a file and the parent does not take
     *                the RESIZE permission (its size is then checked against {@code align}); null
     *                when no check applies
     */
    static BlkDebugNode blkdebugNode(BlkDebugOptions bo, Node image, Backend backend,
                                     List<Rule.InjectError> configInjects, List<Rule.SetState> configSets,
                                     List<CustomEvent> configCustom, OpenOptions o, RequestTracker tracker)
            throws OpenException {
        bo.validate();
        checkAlignedSize(bo, backend, o);
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
        BlkDebugRules rules = new BlkDebugRules(injects, sets, List.copyOf(custom), o.listener());
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
     * bdrv_check_perm: a writer that does not take RESIZE needs an image size that is a multiple
     * of blkdebug's {@code align}. {@code backend} null: no such writer.
     */
    static void checkAlignedSize(BlkDebugOptions bo, Backend backend, OpenOptions o) throws OpenException {
        if (!o.readOnly() && bo.align() > 1 && backend != null) {
            long len = lengthOf(backend);
            if (len % bo.align() != 0) {
                throw new OpenException("Cannot get 'write' permission without 'resize': "
                        + "Image size is not a multiple of request alignment");
            }
        }
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
    }

    private static long lengthOf(Backend b) throws OpenException {
        try {
            return b.length();
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
