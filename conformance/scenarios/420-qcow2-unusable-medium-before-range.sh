# A fatal qcow2 corruption drops the node's driver (bs->drv = NULL), and from then on every request
# kind fails on the missing medium before anything looks at its range: blk_check_byte_request
# (block/block-backend.c) asks blk_is_available (bdrv_is_inserted) before the offset and the end
# of the image, so a read, readv, write, writev, write -z, discard, aio_read or aio_write past
# the end fails with ENOMEDIUM, not EIO (difftest seed 50000000 session 15098: a readv past the
# end). blk_getlength asks it too (length: "getlength: ...", map: "Failed to query image length"),
# blk_co_truncate in its own words ("No medium inserted"), blk_co_do_flush (flush fails without a
# line, exit 1), and bdrv_co_block_status gets ENOMEDIUM from bdrv_getlength before its EOF check
# (alloc past the end fails; alloc of 0 bytes asks nothing). info prints no format name (the node
# has no driver) and stops silently at bdrv_get_info's ENOMEDIUM.
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 2M
printf '[inject-error]\nevent = "cluster_alloc"\nerrno = "-5"\n' > "$TEST_DIR/c.ini"
cp "$IMG" "$TEST_DIR/fresh.qcow2"
$QEMU_IO -n -f qcow2 "blkdebug:$TEST_DIR/c.ini:$IMG" <<'CMDS'
write 0 512
readv 2097152 1024 4096 4096
readv 0 512
read 2097152 512
read 4194304 512
read 2097153 0
read -b 0 512
write -b 0 512
write 2097152 512
writev 2097152 512 512
write -z 2097152 512
write -z 0 512
write -c 0 4096
discard 2097152 512
discard 0 512
aio_read 2097152 512
aio_write 2097152 512
aio_write -z 2097152 512
aio_flush
flush
length
info
map
alloc 0 512
alloc 2097152 512
alloc 0 0
truncate 4M
truncate 1M
length
CMDS
cp "$TEST_DIR/fresh.qcow2" "$IMG"
$QEMU_IO -f qcow2 -c 'write 0 512' -c flush "blkdebug:$TEST_DIR/c.ini:$IMG"
cp "$TEST_DIR/fresh.qcow2" "$IMG"
$QEMU_IO -f qcow2 -c 'write 0 512' -c 'aio_write 4194304 512' -c aio_flush -c info "blkdebug:$TEST_DIR/c.ini:$IMG"
