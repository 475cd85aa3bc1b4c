package org.blkdebug.cli.commands;

/**
 * An option that ends the command while options are still being parsed, as {@code aio_read -i}
 * does in qemu-io (it prints, then returns success).
 */
final class EarlyReturn extends RuntimeException {
    EarlyReturn(String message) {
        super(message, null, false, false);
    }
}
