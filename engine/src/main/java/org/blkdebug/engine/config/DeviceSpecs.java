package org.blkdebug.engine.config;

import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.OpenException;

/**
 * What qemu-io would open for a FILENAME argument or an {@code --image-opts} string, checked at
 * parse time with QEMU 7.2's messages. The config file named by {@code config} is not read here:
 * the engine reads it at open, so that close + open reloads it.
 */
public final class DeviceSpecs {
    private DeviceSpecs() {
    }

    /**
     * A qemu-io FILENAME argument: "blkdebug:CONFIG:IMAGE", "blkdebug::IMAGE", "json:{...}", or a
     * plain image path. {@code format} is the -f value or null (then the format is probed, unless
     * json names the driver). Supported drivers: raw (format), blkdebug and file; any other is
     * "Unknown driver 'X'".
     */
    public static DeviceSpec parseFilename(String filename, String format) throws OpenException {
        QDict options = new QDict();
        if (format != null) {
            options.put("driver", format);
        }
        return NodeOpener.openTop(filename, options);
    }

    /**
     * A FILENAME with an option string, as qemu-io's {@code open -o OPTIONS FILENAME} (QEMU's
     * bdrv_open of a filename plus an options dict): e.g. {@code -o driver=raw,file.align=4k}
     * with {@code blkdebug::img} sets the blkdebug node's align. {@code format}, when given, is
     * the top driver (as {@code driver=} in the options).
     */
    public static DeviceSpec parseFilename(String filename, String format, String options) throws OpenException {
        return parseFilename(filename, format, options, false);
    }

    /** @param refuseForceShare qemu-io's {@code -U} without {@code -r}: refused where QEMU refuses it */
    public static DeviceSpec parseFilename(String filename, String format, String options, boolean refuseForceShare)
            throws OpenException {
        return parseFilename(filename, format, options, refuseForceShare, false, true);
    }

    /**
     * As {@link #parseFilename(String, String, String, boolean)}; each file node refuses
     * {@code aio=native} (its option, or {@code allNativeAio}: qemu-io's {@code -k}) without
     * {@code direct} as it opens, in QEMU's order among the other nodes' checks.
     */
    public static DeviceSpec parseFilename(String filename, String format, String options, boolean refuseForceShare,
                                           boolean allNativeAio, boolean direct) throws OpenException {
        QDict dict = options == null || options.isEmpty() ? new QDict() : OptionString.parse(options);
        if (format != null) {
            dict.put("driver", format);
        }
        return NodeOpener.openTop(filename, dict, refuseForceShare, allNativeAio, direct);
    }

    /**
     * An {@code --image-opts} / {@code open -o} option string, e.g.
     * "driver=raw,file.driver=blkdebug,file.config=c.ini,file.image.filename=img,file.align=4k,
     * file.inject-error.0.event=read_aio" (",," is an escaped comma).
     */
    public static DeviceSpec parseImageOpts(String options) throws OpenException {
        return parseImageOpts(options, false);
    }

    /** @param refuseForceShare qemu-io's {@code -U} without {@code -r}: refused where QEMU refuses it */
    public static DeviceSpec parseImageOpts(String options, boolean refuseForceShare) throws OpenException {
        return parseImageOpts(options, refuseForceShare, false, true);
    }

    /** As {@link #parseImageOpts(String, boolean)}, with the aio=native check of {@link #parseFilename(String, String, String, boolean, boolean, boolean)}. */
    public static DeviceSpec parseImageOpts(String options, boolean refuseForceShare, boolean allNativeAio,
                                            boolean direct) throws OpenException {
        return NodeOpener.openTop(null, OptionString.parse(options), refuseForceShare, allNativeAio, direct);
    }
}
