# qemu-io command errors: bad argument counts, unknown commands, number parsing
# (suffixes, hex, junk), pattern bytes, sleep values, -z with -P / several lengths,
# reads beyond the end, commands without an open file, opening twice. Every failure
# sets exit status 1; later commands still run.
$QEMU_IO -f raw -c 'read 0' -c 'write' -c 'readv 0' -c 'aio_read 0' -c 'discard 0' -c 'length 1' -c 'frobnicate 1 2' \
  -c 'read abc 512' -c 'read 0 1x' -c 'read 0 0x' -c 'write -P 0x1ff 0 512' -c 'write -P abc 0 512' -c 'read -P 256 0 512' \
  -c 'sleep abc' -c 'sleep -1' -c 'sleep 5x' -c 'write -z -P 1 0 512' -c 'aio_write -z 0 512 512' -c 'read 1M 512' \
  -c 'write 1020k 8k' -c 'read 0x100 0x10' -c 'read 1.5k 1k' -c 'read 0 512' blkdebug::"$IMG"
echo "== no file open / file open twice"
$QEMU_IO -c 'read 0 512' -c 'break read_aio A' -c 'length' -c 'close'
$QEMU_IO -f raw -c "open -o driver=raw blkdebug::$IMG" -c 'length' blkdebug::"$IMG"
