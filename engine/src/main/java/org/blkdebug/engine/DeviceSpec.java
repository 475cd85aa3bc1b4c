package org.blkdebug.engine;

/**
 * What to open: the stack a filename, {@code json:{…}} or {@code --image-opts} string describes.
 *
 * @param rawFormat  true when the raw format driver sits on top (qemu-io {@code -f raw} or
 *                   {@code driver=raw}); only then do {@code read_aio}, {@code write_aio} and the
 *                   {@code flush_to_*} events reach blkdebug, as in QEMU
 * @param blkdebug   the blkdebug node's options, or null for a plain image (breakpoints then
 *                   answer ENOTSUP, as QEMU's do)
 * @param filename   the image file (for blkdebug, the same as {@code blkdebug.image()})
 */
public record DeviceSpec(boolean rawFormat, BlkDebugOptions blkdebug, String filename) {
    public static DeviceSpec of(BlkDebugOptions options) {
        return new DeviceSpec(true, options, options.image());
    }

    public static DeviceSpec plain(String filename) {
        return new DeviceSpec(true, null, filename);
    }
}
