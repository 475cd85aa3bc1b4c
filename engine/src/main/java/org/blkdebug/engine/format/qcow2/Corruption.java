package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.request.Request;

/**
 * qcow2_signal_corruption: reports inconsistent metadata once. A fatal corruption of a writable
 * image sets the corrupt bit in the header and makes the node unusable (every later request gets
 * ENOMEDIUM, as QEMU's node without a driver does).
 */
final class Corruption {
    private Corruption() {
    }

    static void signal(Qcow2State s, Request r, boolean fatal, long offset, long size, String message) {
        fatal = fatal && !s.readOnly;
        if (s.signaledCorruption
                && (!fatal || (s.incompatibleFeatures & Qcow2State.INCOMPAT_CORRUPT) != 0)) {
            return;
        }
        if (fatal) {
            s.out.print("qcow2: Marking image as corrupt: " + message
                    + "; further corruption events will be suppressed");
        } else {
            s.out.print("qcow2: Image is corrupt: " + message
                    + "; further non-fatal corruption events will be suppressed");
        }
        if (fatal) {
            s.incompatibleFeatures |= Qcow2State.INCOMPAT_CORRUPT;
            HeaderWriter.update(s, r);
            s.unusable = true;
        }
        s.signaledCorruption = true;
    }
}
