# Default cache mode writethrough: each write is followed by an emulated flush that fires
# flush_to_os always and flush_to_disk from the 2nd write on. A flush rule then reports
# "write failed" although the data already landed in the image.
printf '[inject-error]\nevent = "flush_to_os"\niotype = "flush"\nerrno = "28"\nonce = "on"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write -P 0x31 0 512' -c 'read -P 0x31 0 512' -c 'write -P 0x32 512 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== flush_to_disk: first write passes, second fails, data of both landed"
printf '[inject-error]\nevent = "flush_to_disk"\niotype = "flush"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writethrough -c 'write -P 0x41 0 512' -c 'write -P 0x42 512 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read -P 0x41 0 512' -c 'read -P 0x42 512 512' "$IMG"
echo "== FUA write (-f) under writeback"
printf '[inject-error]\nevent = "flush_to_os"\niotype = "flush"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write 0 512' -c 'write -f 0 512' -c 'writev -f 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
