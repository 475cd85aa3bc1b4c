# Found by the differential tester (docs/difftest.md): a synchronous truncate of a raw image
# polls QEMU's main loop while file-posix's ftruncate runs in the thread pool, so an aio
# request resumed before it reports there, before the next command's output.
$QEMU_IO -f raw -c 'break read_aio A' -c 'aio_read 0 4k' -c 'wait_break A' -c 'resume A' \
  -c 'truncate 2M' -c length -c aio_flush "blkdebug::$IMG"
echo "== writethrough: the write's flush is the round after truncate's"
$QEMU_IO -f raw -c 'write 0 512' -c 'break write_aio B' -c 'aio_write -P 1 4k 512' -c 'wait_break B' \
  -c 'resume B' -c 'truncate 3M' -c length -c aio_flush "blkdebug::$IMG"
