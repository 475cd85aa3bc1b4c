# write -z / aio_write -z: fires pwritev_zero (and pwritev_done) but no write_aio; it is
# checked (iotype write-zeroes) against whatever is armed. Zeroes really land (read -P 0).
$QEMU_IO -f raw -c 'write -P 0x5a 0 64k' "$IMG"
echo "== write_aio rule does not catch write -z"
printf '[inject-error]\nevent = "write_aio"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write -z 0 4k' -c 'read -P 0 0 4k' -c 'write 4k 512' -c 'write -z 8k 4k' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== pwritev_zero rule"
printf '[inject-error]\nevent = "pwritev_zero"\nerrno = "1"\niotype = "write-zeroes"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write -z 16k 4k' -c 'read -P 0x5a 16k 4k' -c 'aio_write -z 20k 4k' -c 'aio_flush' \
  -c 'write -P 0x5a 24k 4k' -c 'write -z -u 32k 4k' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== aio_write -z success, then check"
$QEMU_IO -f raw -c 'aio_write -z 40k 8k' -c 'aio_flush' -c 'read -P 0 40k 8k' -c 'read -P 0x5a 48k 16k' blkdebug::"$IMG"
