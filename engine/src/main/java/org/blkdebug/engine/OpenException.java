package org.blkdebug.engine;

import java.io.IOException;

/**
 * A device could not be opened, or its options or config are invalid. The message is QEMU's text
 * for the same failure (e.g. {@code Missing event name for rule}), without qemu-io's
 * {@code can't open device X: } prefix, which the caller adds.
 */
public class OpenException extends IOException {
    private boolean probedRaw;

    public OpenException(String message) {
        super(message);
    }

    public OpenException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The open failed after format probing had guessed raw (a check of the whole opened graph,
     * such as the write permission's alignment): qemu-io printed its probing warning before
     * this error.
     */
    public boolean probedRaw() {
        return probedRaw;
    }

    OpenException markProbedRaw() {
        probedRaw = true;
        return this;
    }
}
