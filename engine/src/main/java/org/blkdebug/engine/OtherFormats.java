package org.blkdebug.engine;

import java.nio.charset.StandardCharsets;

/**
 * The image formats QEMU 7.2 probes that we have no driver for, recognised by the magic their
 * {@code bdrv_probe} looks for. Probing one as raw would let writes land inside its metadata, so
 * the open is refused instead (docs/differences-from-qemu.md, D17).
 */
final class OtherFormats {
    private OtherFormats() {
    }

    /** The QEMU driver whose probe claims {@code head}, or null when none of ours would. */
    static String of(byte[] head) {
        if (startsWith(head, 0, "KDMV") || startsWith(head, 0, "COWD") || startsWith(head, 0, "# Disk DescriptorFile")) {
            return "vmdk";
        }
        if (startsWith(head, 0, "QED\0")) {
            return "qed";
        }
        if (startsWith(head, 0, "conectix")) {
            return "vpc";
        }
        if (startsWith(head, 0, "vhdxfile")) {
            return "vhdx";
        }
        if (startsWith(head, 0, "LUKS\u00ba\u00be")) {
            return "luks";
        }
        if (startsWith(head, 0, "QFI\u00fb") && head.length >= 8 && head[4] == 0 && head[5] == 0 && head[6] == 0
                && head[7] == 1) {
            return "qcow";
        }
        if (startsWith(head, 64, "\u007f\u0010\u00da\u00be")) {
            return "vdi";
        }
        if (startsWith(head, 0, "WithoutFreeSpace") || startsWith(head, 0, "WithouFreSpacExt")) {
            return "parallels";
        }
        if (startsWith(head, 0, "Bochs Virtual HD Image")) {
            return "bochs";
        }
        if (startsWith(head, 0, "#!/bin/sh\n#V2.0 Format\n")) {
            return "cloop";
        }
        return null;
    }

    private static boolean startsWith(byte[] head, int at, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (head.length < at + m.length) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (head[at + i] != m[i]) {
                return false;
            }
        }
        return true;
    }
}
