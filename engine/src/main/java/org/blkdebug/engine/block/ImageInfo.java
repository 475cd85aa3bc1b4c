package org.blkdebug.engine.block;

/**
 * What {@code bdrv_get_info} reports of a format: its cluster size and where its VM state
 * ({@code read -b} / {@code write -b}) starts; qemu-io's {@code info} prints both.
 */
public record ImageInfo(long clusterSize, long vmStateOffset) {
}
