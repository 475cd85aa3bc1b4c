# An image whose length is not a multiple of 512: every node's length is whole sectors (QEMU's
# refresh_total_sectors rounds the file's size up), so `length` says 977 KiB for 1000000 bytes,
# the tail of the last sector reads as zeroes, a request past the rounded end fails with EIO, and
# a write into the last sector grows the file. The same through blkdebug, after `truncate`, and
# read-only.
# image-size: 1000000
$QEMU_IO -f raw -c 'length' -c 'map' -c 'read -P 0 999424 1024' -c 'read 1000448 1' -c 'read 999936 513' "$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -r -f raw -c 'length' -c 'read -P 0 999936 512' -c 'aio_read -P 0 999900 548' -c 'aio_flush' "$IMG"
$QEMU_IO -f raw -c 'write -P 0x11 999936 512' -c 'length' -c 'read -P 0x11 999936 512' "$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -f raw -c 'truncate 999999' -c 'length' -c 'read -P 0x11 999936 63' -c 'read -P 0 999999 449' "$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -f raw -c 'write -z 999900 548' -c 'read -P 0 999900 548' "$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -f raw -c 'truncate 1000000' -c 'discard 999424 1024' -c 'length' "$IMG"
stat -c 'size %s' "$IMG"
echo "== through blkdebug, with a rule on the last sector"
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "1953"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'length' -c 'read -P 0 999424 512' -c 'read 999936 512' -c 'write -P 0x22 999936 512' -c 'info' blkdebug:"$TEST_DIR/c.ini":"$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO --image-opts -c 'length' -c 'read -P 0x22 999936 512' -c 'truncate 1234' -c 'length' -c 'read -P 0 1024 512' \
  "driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -r --image-opts -c 'length' -c 'read -P 0 999424 1024' \
  "driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
