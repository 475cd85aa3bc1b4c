# Data integrity: a failed write (write, writev, aio_write, write -z, unaligned RMW write
# with align=4k) leaves the bytes unchanged; a rule with errno 0 passes I/O through and,
# matching first, shadows later rules; it is never used up, even with once=on (QEMU returns
# before the once handling); a negative errno reports success without doing the I/O.
$QEMU_IO -f raw -c 'write -P 0x77 0 64k' "$IMG"
printf '[inject-error]\nevent = "none"\nerrno = "5"\niotype = "write"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write -P 1 0 512' -c 'writev -P 2 512 512 512' -c 'aio_write -P 3 4k 4k' -c 'aio_flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
printf '[inject-error]\nevent = "none"\nerrno = "5"\niotype = "write-zeroes"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write -z 8k 4k' -c 'aio_write -z 12k 4k' -c 'aio_flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO --image-opts -c 'write -P 4 16400 100' \
  "driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=pwritev,file.inject-error.0.iotype=write"
$QEMU_IO -f raw -c 'read -P 0x77 0 64k' "$IMG"
echo "== errno 0 once: passes, shadows the ENOSPC rule, never used up"
printf '[inject-error]\nevent = "none"\nerrno = "0"\nonce = "on"\n[inject-error]\nevent = "none"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write -P 5 0 512' -c 'write -P 6 0 512' -c 'read -P 6 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read -P 6 0 512' "$IMG"
# writeback: no implicit flush, which a sector rule never matches and ENOSPC would fail
echo "== errno 0 limited to sector 0: the ENOSPC rule catches other sectors"
printf '[inject-error]\nevent = "none"\nerrno = "0"\nsector = "0"\n[inject-error]\nevent = "none"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write -P 8 0 512' -c 'write -P 9 1024 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== errno -5: success reported, nothing written, read buffer left at 0xab"
printf '[inject-error]\nevent = "none"\nerrno = "-5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write -P 7 512 512' -c 'read -P 0xab 512 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read -P 0x77 512 512' "$IMG"
