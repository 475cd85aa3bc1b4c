# blkdebug above qcow2 (driver=blkdebug,image.driver=qcow2, iotests 177 and 204): qcow2's own
# events go to its file, not to this blkdebug, which sees only the block layer's (pwritev,
# pwritev_done, the RMW events of its align); align and max-transfer split what qcow2 gets;
# map and alloc pass through it.
# image-format: qcow2
# image-size: 4M
opts=driver=blkdebug,image.driver=qcow2,align=4k,max-transfer=64k
$QEMU_IO -c "open -o $opts blkdebug::$IMG" -c 'write -P 0x11 1000 128k' -c 'read -P 0x11 1000 128k' \
  -c 'alloc 1 1' -c 'alloc 0x3ffff0 1000' -c map -c info
printf '[inject-error]\nevent = "l2_update"\nerrno = "5"\n' > "$TEST_DIR/l2.ini"
$QEMU_IO -c "open -o $opts,config=$TEST_DIR/l2.ini blkdebug::$IMG" -c 'write -P 0x12 1M 4k' -c 'break pwritev_rmw_head A' \
  -c 'aio_write -P 0x13 2049k 512' -c 'wait_break A' -c 'resume A' -c 'aio_flush' -c 'read -P 0x13 2049k 512'
md5sum < "$IMG"
