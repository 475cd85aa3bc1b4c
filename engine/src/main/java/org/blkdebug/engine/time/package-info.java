/**
 * Internal: the device clock behind {@code [inject-delay]} rules: wall time, or virtual time that
 * moves only when the device is quiescent ({@link org.blkdebug.engine.DeviceClock}). Not API.
 */
package org.blkdebug.engine.time;
