package org.blkdebug.engine.format.qcow2;

/** An open that failed, with QEMU's message and the negative errno QEMU returned. */
final class Qcow2OpenException extends Exception {
    final int ret;

    Qcow2OpenException(int ret, String message) {
        super(message, null, false, false);
        this.ret = ret;
    }
}
