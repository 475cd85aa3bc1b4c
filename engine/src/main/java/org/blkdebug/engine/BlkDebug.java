package org.blkdebug.engine;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.config.ConfigFile;
import org.blkdebug.engine.config.DeviceSpecs;

/**
 * Opens blkdebug devices: from a qemu-io style filename ({@code blkdebug:CONFIG:IMAGE},
 * {@code blkdebug::IMAGE}, {@code json:{…}}, a plain image), from a {@link DeviceSpec}, or with
 * the {@link #builder() builder}.
 *
 * <pre>{@code
 * try (Device dev = BlkDebug.builder().image("disk.img")
 *         .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true))
 *         .open()) {
 *     dev.write(0, ByteBuffer.allocate(512));   // fails with ENOSPC, once
 * }
 * }</pre>
 */
public final class BlkDebug {
    private BlkDebug() {
    }

    /**
     * Opens the stack {@code spec} describes: reads the config file, validates the rules and
     * limits, opens the image and fires the {@code none} event.
     *
     * @throws OpenException with QEMU's message (e.g. {@code Could not open 'x': No such file or directory})
     */
    public static Device open(DeviceSpec spec, OpenOptions options) throws OpenException {
        ConfigFile.Rules config = readConfig(spec);
        Backend backend = FileBackend.open(spec.filename(), options.readOnly() || options.snapshot());
        if (options.snapshot()) {
            try {
                backend = OverlayBackend.snapshotOf(backend);
            } catch (BlockException e) {
                closeQuietly(backend);
                throw new OpenException("Could not open '" + spec.filename() + "': " + e.getMessage(), e);
            }
        }
        return build(spec, options, backend, config);
    }

    /** As {@link #open(DeviceSpec, OpenOptions)}, over a backend of your own (e.g. memory). */
    public static Device open(DeviceSpec spec, OpenOptions options, Backend backend) throws OpenException {
        return build(spec, options, backend, readConfig(spec));
    }

    /** {@link #open(DeviceSpec, OpenOptions)} of a qemu-io filename, with the raw format on top. */
    public static Device open(String filename, OpenOptions options) throws OpenException {
        return open(DeviceSpecs.parseFilename(filename, "raw"), options);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static ConfigFile.Rules readConfig(DeviceSpec spec) throws OpenException {
        BlkDebugOptions bo = spec.blkdebug();
        if (bo == null || bo.config() == null || bo.config().isEmpty()) {
            return new ConfigFile.Rules(List.of(), List.of());
        }
        return ConfigFile.read(bo.config(), bo.customEvents());
    }

    private static Device build(DeviceSpec spec, OpenOptions options, Backend backend, ConfigFile.Rules config)
            throws OpenException {
        try {
            return StackBuilder.build(spec, options, backend, config.injectErrors(), config.setStates(),
                    config.customEvents(), config.injectDelays());
        } catch (OpenException | RuntimeException e) {
            closeQuietly(backend);
            throw e;
        }
    }

    private static void closeQuietly(Backend backend) {
        try {
            backend.close();
        } catch (BlockException ignored) {
            // the open error is the one to report
        }
    }

    /** Builds a raw-over-blkdebug device in code. */
    public static final class Builder {
        private String image;
        private Backend backend;
        private String config;
        private long align;
        private long maxTransfer;
        private long optWriteZero;
        private long maxWriteZero;
        private long optDiscard;
        private long maxDiscard;
        private final List<Rule.InjectError> injectErrors = new ArrayList<>();
        private final List<Rule.SetState> setStates = new ArrayList<>();
        private final List<String> customEvents = new ArrayList<>();
        private final List<Rule.InjectDelay> injectDelays = new ArrayList<>();
        private Long seed;
        private boolean virtualClock;
        // a device built in code is a file to the byte (channels append at its size), not a disk
        private OpenOptions options = OpenOptions.defaults().withCache(CacheMode.WRITEBACK).withByteLength(true);
        private DeviceSpec.Format format = DeviceSpec.Format.RAW;

        private Builder() {
        }

        /** The image file. */
        public Builder image(String filename) {
            this.image = filename;
            return this;
        }

        /** An in-memory image of {@code length} bytes instead of a file. */
        public Builder memory(long length) {
            this.backend = new MemoryBackend(length);
            this.image = "memory";
            return this;
        }

        public Builder backend(Backend b, String name) {
            this.backend = b;
            this.image = name;
            return this;
        }

        /** An INI rule file, read at open; its rules go before the builder's. */
        public Builder config(String path) {
            this.config = path;
            return this;
        }

        public Builder align(long bytes) {
            this.align = bytes;
            return this;
        }

        public Builder maxTransfer(long bytes) {
            this.maxTransfer = bytes;
            return this;
        }

        public Builder writeZeroLimits(long opt, long max) {
            this.optWriteZero = opt;
            this.maxWriteZero = max;
            return this;
        }

        public Builder discardLimits(long opt, long max) {
            this.optDiscard = opt;
            this.maxDiscard = max;
            return this;
        }

        public Builder injectError(Rule.InjectError rule) {
            injectErrors.add(rule);
            return this;
        }

        public Builder setState(Rule.SetState rule) {
            setStates.add(rule);
            return this;
        }

        /** An {@code [inject-delay]} rule (ours): the matching request sleeps at the event. */
        public Builder injectDelay(Rule.InjectDelay rule) {
            injectDelays.add(rule);
            return this;
        }

        /** The seed every draw of a probabilistic rule derives from (ours); chosen at open if unset. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** {@code clock = virtual} (ours): see {@link DeviceClock}. */
        public Builder virtualClock(boolean on) {
            this.virtualClock = on;
            return this;
        }

        /**
         * The disk's volatile write cache below blkdebug (on by default): unflushed writes can be
         * lost by {@link Device#crash}. Off, writes go straight to the image.
         */
        public Builder volatileCache(boolean on) {
            options = options.withVolatileCache(on);
            return this;
        }

        /**
         * The page-cache model instead of the disk's (what the {@code blkdebug:} file system uses):
         * writes go through to the image at once, a crash undoes the unflushed ones, torn by 4 KiB
         * page; {@code order} numbers the writes.
         */
        public Builder pageCache(java.util.function.LongSupplier order) {
            options = options.withPageCache(order);
            return this;
        }

        /** Bytes of volatile data kept in memory before the rest spills to a file next to the image. */
        public Builder volatileLimit(long bytes) {
            options = options.withVolatileLimit(bytes);
            return this;
        }

        /** Records every completed write, flush and mark in {@code file} ({@code --log-writes}). */
        public Builder writeLog(java.nio.file.Path file) {
            options = options.withWriteLog(file);
            return this;
        }

        /**
         * Declares custom events the code above the device fires with {@link Device#event(String)}
         * and that rules and breakpoints may use. Ours, not QEMU's (D13).
         */
        public Builder customEvent(String... names) {
            customEvents.addAll(List.of(names));
            return this;
        }

        /** Cache mode; the builder's default is writeback (qemu-io's is writethrough). */
        public Builder cache(CacheMode mode) {
            options = options.withCache(mode);
            return this;
        }

        public Builder readOnly(boolean ro) {
            options = options.withReadOnly(ro);
            return this;
        }

        public Builder listener(BlkDebugListener l) {
            options = options.withListener(l);
            return this;
        }

        /** Without the raw format on top, {@code read_aio}/{@code write_aio}/{@code flush_to_*} never fire. */
        public Builder withoutFormat() {
            format = DeviceSpec.Format.NONE;
            return this;
        }

        public Device open() throws OpenException {
            if (image == null) {
                throw new OpenException("A block device must be specified for \"image\"");
            }
            BlkDebugOptions bo = new BlkDebugOptions(config, image, align, maxTransfer, optWriteZero,
                    maxWriteZero, optDiscard, maxDiscard, injectErrors, setStates, customEvents, injectDelays,
                    seed, virtualClock);
            DeviceSpec spec = new DeviceSpec(format, bo, image);
            return backend == null ? BlkDebug.open(spec, options) : BlkDebug.open(spec, options, backend);
        }
    }
}
