package org.blkdebug.engine;

/**
 * Opens blkdebug devices. Placeholder: the implementation lands with the engine.
 */
public final class BlkDebug {
    private BlkDebug() {
    }
}
