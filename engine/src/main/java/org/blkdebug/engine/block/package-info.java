/**
 * Internal: QEMU's block stack as nodes (raw format → blkdebug → file), the generic block layer
 * that sits in front of each node ({@link org.blkdebug.engine.block.BlockIo}, QEMU's io.c), and
 * the backends. Only {@link org.blkdebug.engine.block.Backend} and its two implementations are
 * meant for API users.
 */
package org.blkdebug.engine.block;
