package org.blkdebug.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.filter.EventTrace;

/** Builds raw → blkdebug → memory stacks for tests, without a config file. */
final class TestDevices {
    /** Records blkdebug's messages as qemu-io prints them. */
    static final class Messages implements BlkDebugListener {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void suspended(String tag) {
            lines.add("blkdebug: Suspended request '" + tag + "'");
        }

        @Override
        public void resuming(String tag) {
            lines.add("blkdebug: Resuming request '" + tag + "'");
        }
    }

    private long size = 1 << 20;
    private long align;
    private long maxTransfer;
    private long optWriteZero;
    private long maxWriteZero;
    private CacheMode cache = CacheMode.WRITEBACK;
    private DeviceSpec.Format format = DeviceSpec.Format.RAW;
    private final List<Rule.InjectError> injects = new ArrayList<>();
    private final List<Rule.SetState> sets = new ArrayList<>();
    private final List<Rule.InjectError> configInjects = new ArrayList<>();
    final Messages messages = new Messages();
    MemoryBackend backend;

    static TestDevices stack() {
        return new TestDevices();
    }

    TestDevices size(long s) {
        size = s;
        return this;
    }

    TestDevices align(long a) {
        align = a;
        return this;
    }

    TestDevices maxTransfer(long m) {
        maxTransfer = m;
        return this;
    }

    TestDevices writeZeroLimits(long opt, long max) {
        optWriteZero = opt;
        maxWriteZero = max;
        return this;
    }

    TestDevices cache(CacheMode c) {
        cache = c;
        return this;
    }

    TestDevices format(DeviceSpec.Format f) {
        format = f;
        return this;
    }

    TestDevices inject(Rule.InjectError r) {
        injects.add(r);
        return this;
    }

    /** As if from the config file: goes before every {@link #inject} rule. */
    TestDevices configInject(Rule.InjectError r) {
        configInjects.add(r);
        return this;
    }

    TestDevices setState(Event e, int state, int newState) {
        sets.add(new Rule.SetState(e, state, newState));
        return this;
    }

    BlockDevice open() throws OpenException {
        backend = new MemoryBackend(size);
        BlkDebugOptions bo = new BlkDebugOptions(null, "mem", align, maxTransfer, optWriteZero, maxWriteZero,
                0, 0, injects, sets);
        OpenOptions o = new OpenOptions(cache, false, messages);
        return StackBuilder.build(new DeviceSpec(format, bo, "mem"), o, backend, configInjects, List.of());
    }

    /** The image bytes, read from the backend directly (armed rules stay out of the way). */
    byte[] image(long off, int len) throws BlockException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(len);
        backend.read(off, org.blkdebug.engine.block.IoVec.of(b));
        return b.array();
    }

    static EventTrace trace(BlockDevice dev) {
        return dev.blkdebugRules().trace(true);
    }
}
