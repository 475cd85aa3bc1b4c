package org.blkdebug.engine;

/**
 * Opens blkdebug devices: from a {@link DeviceSpec} (what the shell parses), or a qemu-io style
 * filename ({@code blkdebug:CONFIG:IMAGE}, {@code blkdebug::IMAGE}, {@code json:{…}}, a plain image).
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
        throw new UnsupportedOperationException("engine not implemented yet");
    }

    /** {@link #open(DeviceSpec, OpenOptions)} of a qemu-io filename, with the raw format on top. */
    public static Device open(String filename, OpenOptions options) throws OpenException {
        throw new UnsupportedOperationException("engine not implemented yet");
    }
}
