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
        RequestTracker tracker = new RequestTracker();
        FileNode file = new FileNode(backend, o.readOnly());
        configure(file, o);
        Node below = file;
        BlkDebugNode blkdebug = null;
        BlkDebugOptions bo = spec.blkdebug();
        if (bo != null) {
            bo.validate();
            if (!o.readOnly() && bo.align() > 1) {
                long len = lengthOf(backend);
                if (len % bo.align() != 0) {
                    throw new OpenException("Cannot get 'write' permission without 'resize': "
                            + "Image size is not a multiple of request alignment");
                }
            }
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
            blkdebug = new BlkDebugNode(file, rules, limits);
            configure(blkdebug, o);
            // QEMU fires "none" once, at the very end of a successful blkdebug open
            Request r = tracker.begin(Operation.EVENT, 0, 0, null);
            try {
                rules.event(Event.NONE, r);
            } finally {
                tracker.end(r);
            }
            below = blkdebug;
        }
        Node top = below;
        if (spec.format().raw()) {
            if (spec.format() == DeviceSpec.Format.PROBE) {
                probe(below, tracker);
            }
            top = new RawNode(below, spec.format() == DeviceSpec.Format.PROBE);
            configure(top, o);
        }
        return new BlockDevice(top, blkdebug, o.cache(), tracker);
    }

    /** A rule on an undeclared custom event fails like a misspelt QEMU event (builder rules). */
    private static void checkDeclared(List<? extends Rule> rules, Set<CustomEvent> declared) throws OpenException {
        for (Rule r : rules) {
            if (r.event() instanceof CustomEvent c && !declared.contains(c)) {
                throw new OpenException("invalid parameter value: " + c.name());
            }
        }
    }

    private static void configure(Node n, OpenOptions o) {
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
     * apply) before the raw driver exists, so no {@code read_aio} fires.
     */
    private static void probe(Node below, RequestTracker tracker) throws OpenException {
        Request r = tracker.begin(Operation.READ, 0, PROBE_BYTES, null);
        try {
            long len = below.length();
            if (len == 0) {
                return; // QEMU takes raw without reading an empty image
            }
            BlockIo.preadv(below, r, 0, PROBE_BYTES, IoVec.zeroes(PROBE_BYTES));
        } catch (BlockException e) {
            throw new OpenException("Could not read image for determining its format: " + e.getMessage(), e);
        } finally {
            tracker.end(r);
        }
    }
}
