package org.blkdebug.engine;

/**
 * What to open: the stack a filename, {@code json:{…}} or {@code --image-opts} string describes.
 *
 * @param format   which driver sits on top: see {@link Format}
 * @param blkdebug the blkdebug node's options, or null for a plain image (breakpoints then
 *                 answer ENOTSUP, as QEMU's do)
 * @param filename the image file (for blkdebug, the same as {@code blkdebug.image()})
 * @param tree     the whole node graph when the three fields above do not describe it (qcow2, a
 *                 format under blkdebug, nested formats); null for raw over [blkdebug over] file
 */
public record DeviceSpec(Format format, BlkDebugOptions blkdebug, String filename, NodeSpec tree) {

    public DeviceSpec(Format format, BlkDebugOptions blkdebug, String filename) {
        this(format, blkdebug, filename, null);
    }

    /** The top of the stack. */
    public enum Format {
        /** The raw format driver, named explicitly ({@code -f raw}, {@code driver=raw}). */
        RAW,
        /**
         * No format named: qemu-io probes, which ends in raw for our images after reading
         * sector 0 through blkdebug and printing QEMU's "Image format was not specified" warning.
         */
        PROBE,
        /**
         * No format driver: blkdebug (or the file) is the top node, so {@code read_aio},
         * {@code write_aio} and {@code flush_to_*} never fire, as in QEMU.
         */
        NONE,
        /** The qcow2 format driver on top (named, or a {@link #tree} that ends in one). */
        QCOW2;

        /** True when the raw format driver ends up on top (RAW, or PROBE after probing). */
        public boolean raw() {
            return this == RAW || this == PROBE;
        }
    }

    public static DeviceSpec of(BlkDebugOptions options) {
        return new DeviceSpec(Format.RAW, options, options.image());
    }

    public static DeviceSpec plain(String filename) {
        return new DeviceSpec(Format.RAW, null, filename);
    }

    /** A file node of the graph was given {@code aio=native}. */
    public boolean nativeAio() {
        return tree != null && nativeAio(tree);
    }

    private static boolean nativeAio(NodeSpec n) {
        return switch (n) {
            case NodeSpec.File f -> f.nativeAio();
            case NodeSpec.BlkDebug b -> nativeAio(b.image());
            case NodeSpec.Raw r -> nativeAio(r.file());
            case NodeSpec.Probe p -> nativeAio(p.file());
            case NodeSpec.Qcow2 q -> nativeAio(q.file()) || (q.dataFile() != null && nativeAio(q.dataFile()))
                    || (q.backing() instanceof NodeSpec.Backing.Given g && nativeAio(g.node()));
        };
    }

    public DeviceSpec withFormat(Format f) {
        return new DeviceSpec(f, blkdebug, filename, tree);
    }
}
