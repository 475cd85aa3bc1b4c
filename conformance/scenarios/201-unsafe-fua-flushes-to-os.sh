# Found by the differential tester (docs/difftest.md). Under -t unsafe a FUA write (`write -f`,
# `aio_write -f`) is still followed by an emulated flush: it fires flush_to_os (a breakpoint
# suspends the write there, a rule on it fails the write after its data landed), and, unsafe,
# never flush_to_disk.
$QEMU_IO -f raw -t unsafe -c 'break flush_to_os A' -c 'aio_write -f -P 0x21 0 1k' -c 'wait_break A' \
  -c 'resume A' -c aio_flush -c 'read -P 0x21 0 1k' "blkdebug::$IMG"
printf '[inject-error]\nevent = "flush_to_os"\nerrno = "28"\nonce = "on"\n[inject-error]\nevent = "flush_to_disk"\nerrno = "5"\n' \
  > "$TEST_DIR/r.conf"
$QEMU_IO -f raw -t unsafe -c 'write -P 0x22 4k 4k' -c 'write -f -P 0x23 8k 4k' -c 'write -f -P 0x24 12k 4k' \
  -c flush -c 'read -P 0x23 8k 4k' -c 'read -P 0x24 12k 4k' "blkdebug:$TEST_DIR/r.conf:$IMG"
md5sum < "$IMG"
