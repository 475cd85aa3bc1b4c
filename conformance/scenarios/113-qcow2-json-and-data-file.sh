# Node graphs in json: and --image-opts: qcow2 over blkdebug with its rules in json, a
# backing file turned off (backing: null), and an external data file behind its own raw and
# blkdebug nodes (iotest 289): data clusters are not freed when their write fails.
# image-format: qcow2
# image-size: 1M
$MKQCOW2 "$TEST_DIR/base.qcow2" 1M
$QEMU_IO -f qcow2 -c 'write -P 0x01 0 1M' "$TEST_DIR/base.qcow2" | tail -n 2
$MKQCOW2 -b base.qcow2 -F qcow2 "$TEST_DIR/over.qcow2"
$QEMU_IO -c 'read -P 1 0 512' -c 'read -P 0 0 512' "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/over.qcow2\"},\"backing\":null}"
$QEMU_IO -c 'write -P 2 0 4k' -c 'read -P 2 0 4k' "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"inject-error\":[{\"event\":\"l2_load\",\"once\":true}],\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/over.qcow2\"}}}"
$QEMU_IO --image-opts -c 'read -P 2 0 4k' -c 'read -P 1 4k 4k' "driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TEST_DIR/over.qcow2"
$MKQCOW2 -o data_file=data.raw "$TEST_DIR/df.qcow2" 64k
printf '[inject-error]\nevent = "write_aio"\nerrno = "5"\nonce = "on"\n' > "$TEST_DIR/df.ini"
$QEMU_IO -c 'write 0 64k' -c 'write -P 3 0 64k' -c 'read -P 3 0 64k' "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/df.qcow2\"},\"data-file\":{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/df.ini\",\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/data.raw\"}}}}"
$QEMU_IO -r -f qcow2 -c 'read -P 3 0 64k' -c map "$TEST_DIR/df.qcow2"
md5sum < "$TEST_DIR/df.qcow2"
