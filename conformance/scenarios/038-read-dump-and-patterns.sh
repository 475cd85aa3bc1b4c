# read -v hex dump (16 bytes a line, ASCII column), readv -v, aio_read -v, and read -P
# with -s/-l partial verification; pattern mismatch output comes before the read lines.
$QEMU_IO -f raw -c 'write -P 0x41 0 16' -c 'write -P 0x7e 16 8' -c 'write -P 0xab 24 24' "$IMG"
$QEMU_IO -f raw -c 'read -v 0 64' -c 'read -v 8 20' -c 'readv -v 0 16 16' -c 'aio_read -v 32 16' -c 'aio_flush' \
  -c 'read -P 0x41 -s 0 -l 16 0 64' -c 'read -P 0x7e -s 16 -l 8 0 64' -c 'read -P 0x41 0 17' -c 'readv -P 0xab 24 8 16' \
  -c 'aio_read -P 0 0 512' -c 'aio_flush' blkdebug::"$IMG"
