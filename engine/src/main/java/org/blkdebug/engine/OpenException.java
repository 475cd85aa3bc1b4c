package org.blkdebug.engine;

import java.io.IOException;

/**
 * A device could not be opened, or its options or config are invalid. The message is QEMU's text
 * for the same failure (e.g. {@code Missing event name for rule}), without qemu-io's
 * {@code can't open device X: } prefix, which the caller adds.
 */
public class OpenException extends IOException {
    public OpenException(String message) {
        super(message);
    }

    public OpenException(String message, Throwable cause) {
        super(message, cause);
    }
}
