# Report formats: -C machine lines, -q quiet, sizes (bytes, KiB with 3 decimals and the
# .000 dropped, MiB), vectored requests as one op, length/info/map/alloc.
# image-size: 3M
$QEMU_IO -f raw -c 'write -C 0 512' -c 'read -C 0 1536' -c 'writev -C 0 512 512' -c 'aio_write -C 4k 1k' -c 'aio_flush' \
  -c 'write -q 0 512' -c 'read -q 0 512' -c 'aio_read -q 0 512' -c 'aio_flush' -c 'writev -q 0 1k 1k' \
  -c 'write 0 1536' -c 'write 0 2k' -c 'read 0 1025' -c 'read 0 1M' -c 'read 1M 1572864' -c 'readv 8k 512 512 1k 1k' \
  -c 'aio_write 8k 1k 1k' -c 'aio_flush' -c 'write 0 100' -c 'read 1 1' -c 'discard 0 1023' -c 'discard 1M 1M' \
  -c 'length' -c 'info' -c 'map' -c 'alloc 0 4096' -c 'alloc 0' -c 'alloc 2M 1M' blkdebug::"$IMG"
