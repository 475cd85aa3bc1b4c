# Under -s qemu-io's top node is the temporary qcow2 overlay (bdrv_append_temp_snapshot: qcow2's
# defaults, the image's length), so `info` describes it whatever the image below: 64 KiB
# clusters, the VM state offset past the last L1 entry's reach (it follows a truncate), version 3
# (difftest seed 50000000 session 17104: a qcow2 image with 4 KiB clusters).
# image-size: 1000000
$QEMU_IO -s -f raw -c info -c 'truncate 600M' -c info -c 'truncate 0' -c info "$IMG"
$QEMU_IO -s -c info --image-opts "driver=blkdebug,image.driver=file,image.filename=$IMG"
$QEMU_IO -c "open -s -o driver=raw blkdebug::$IMG" -c info -c close -c "open -o driver=raw blkdebug::$IMG" -c info
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/small.qcow2" 4M > /dev/null
$QEMU_IO -s -f qcow2 -c info "$TEST_DIR/small.qcow2"
