/**
 * blkdebug under {@code java.nio}: {@link org.blkdebug.engine.nio.BlkDebugFileChannel}, a
 * {@code FileChannel} over a device, and the {@code blkdebug} file system
 * ({@link org.blkdebug.engine.nio.BlkDebugFileSystems}), which opens chosen files of the default
 * file system through a device with rules ({@link org.blkdebug.engine.nio.FileRules}), so code
 * under test keeps using {@code Path}, {@code Files} and {@code FileChannel}.
 */
package org.blkdebug.engine.nio;
