# The write permission's check of blkdebug's align (bdrv_check_perm: "Image size is not a
# multiple of request alignment") uses the node's length in whole sectors, as QEMU's
# total_sectors: an image of 1048575 bytes is 1 MiB there, a multiple of 4 KiB; one of 1000000
# bytes is 977 KiB, a multiple of 512 but not of 4 KiB.
# image-size: 1048575
$QEMU_IO --image-opts -c 'length' -c 'write -P 3 1044480 4096' -c 'read -P 3 1044480 4096' "driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
stat -c 'size %s' "$IMG"
truncate -s 1000000 "$TEST_DIR/b.raw"
$QEMU_IO -c 'length' -c 'open -o driver=raw,file.align=512 blkdebug::'"$TEST_DIR/b.raw" -c 'length'
$QEMU_IO -c 'open -o driver=raw,file.align=4096 blkdebug::'"$TEST_DIR/b.raw" -c 'length'
