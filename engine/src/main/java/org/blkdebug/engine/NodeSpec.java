package org.blkdebug.engine;

import org.blkdebug.engine.format.qcow2.Qcow2Options;

/**
 * A node graph to open, as QEMU builds it from a filename, {@code json:} or {@code --image-opts}:
 * formats over protocols, blkdebug anywhere between, qcow2 with a data file and a backing chain.
 * {@link DeviceSpec#tree()} holds one when the simple "raw over [blkdebug over] file" shape of
 * {@link DeviceSpec} does not say enough.
 */
public sealed interface NodeSpec {
    /**
     * The file protocol: an image file.
     *
     * @param nativeAio {@code aio=native} was given: QEMU then needs {@code cache.direct=on}; we do
     *                  no native AIO, but refuse it without O_DIRECT as QEMU does, and a read the
     *                  kernel answers at submission goes on without waiting (FileNode)
     */
    record File(String filename, boolean nativeAio) implements NodeSpec {
        public File(String filename) {
            this(filename, false);
        }
    }

    /** A blkdebug node over {@code image} (usually a file, but a format under blkdebug works too). */
    record BlkDebug(BlkDebugOptions options, NodeSpec image) implements NodeSpec {
    }

    /** The raw format over {@code file}; {@code probed} when no format was named. */
    record Raw(NodeSpec file, boolean probed) implements NodeSpec {
    }

    /**
     * The qcow2 format over {@code file}.
     *
     * @param dataFile the {@code data-file} child, or null (then the one the image names, if any)
     * @param backing  what to do about the backing file the image names
     */
    record Qcow2(NodeSpec file, NodeSpec dataFile, Backing backing, Qcow2Options options) implements NodeSpec {
    }

    /** No format named: the first bytes of {@code file} decide between qcow2 and raw. */
    record Probe(NodeSpec file) implements NodeSpec {
    }

    /** The backing node of a qcow2 image. */
    sealed interface Backing {
        /** Open the backing file the image header names (relative to the image), if any. */
        record FromImage() implements Backing {
        }

        /** {@code backing: null}: none, even if the image names one. */
        record None() implements Backing {
        }

        /** {@code backing: {...}}: this node instead. */
        record Given(NodeSpec node) implements Backing {
        }
    }
}
