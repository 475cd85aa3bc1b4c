# Exit status: 1 if any synchronous command failed (read, write, writev, readv, discard,
# flush, pattern mismatch, argument errors), 0 if only aio_read/aio_write failed.
printf '[inject-error]\nevent = "none"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'aio_read 0 512' -c 'aio_write 0 512' -c 'aio_flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'aio_read 0 512' -c 'aio_flush' -c 'length' blkdebug:"$TEST_DIR/c.ini":"$IMG"
for cmd in 'read 0 512' 'write 0 512' 'readv 0 512' 'writev 0 512' 'discard 0 64k' 'write -z 0 4k'; do
  $QEMU_IO -f raw -c "$cmd" -c 'length' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
printf '[inject-error]\nevent = "none"\niotype = "flush"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write 0 512' -c 'flush' -c 'length' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read -P 1 0 512' -c 'length' blkdebug::"$IMG"
$QEMU_IO -f raw -c 'aio_read -P 1 0 512' -c 'aio_flush' blkdebug::"$IMG"
$QEMU_IO -f raw -c 'read 0' -c 'read 0 512' blkdebug::"$IMG"
$QEMU_IO -f raw -c 'length' blkdebug::"$IMG"
