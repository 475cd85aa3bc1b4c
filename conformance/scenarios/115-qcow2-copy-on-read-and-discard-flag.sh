# Copy-on-read (-C): reads copy what comes from the backing file into the overlay, whole
# clusters at a time (zeroes as write-zeroes); with blkdebug on top of qcow2 the copy fires
# cor_write on blkdebug (an error there fails the read and copies nothing), and a breakpoint
# on it holds the read; -C with -r is refused, as is a bad -d. -d ignore turns discards off.
# image-format: qcow2
# image-size: 4M
$QEMU_IO -f qcow2 -c 'write -P 0x11 0 1M' -c 'write -z 1M 64k' "$IMG" > /dev/null
$MKQCOW2 -b t.qcow2 -F qcow2 "$TEST_DIR/over.qcow2"
$QEMU_IO -C -f qcow2 -c 'read -P 0x11 4k 8k' -c 'read -P 0x11 100k 200k' -c 'read -P 0 1M 64k' -c 'read 2M 4k' \
  -c map "$TEST_DIR/over.qcow2"
$QEMU_IO -r -f qcow2 -c 'read -P 0x11 0 320k' -c 'read -P 0x11 320k 704k' "$TEST_DIR/over.qcow2"
md5sum < "$TEST_DIR/over.qcow2"
$QEMU_IO -C -r -f qcow2 -c 'read 0 4k' "$TEST_DIR/over.qcow2"
$QEMU_IO -d foo -f qcow2 -c 'read 0 4k' "$TEST_DIR/over.qcow2"
$QEMU_IO -c "open -d foo $TEST_DIR/over.qcow2" -c 'read 0 4k'
$MKQCOW2 -b t.qcow2 -F qcow2 "$TEST_DIR/over2.qcow2"
printf '[inject-error]\nevent = "cor_write"\nerrno = "5"\n' > "$TEST_DIR/cor.ini"
$QEMU_IO -C --image-opts -c 'read 0 4k' -c 'read -P 0x11 512k 4k' -c map \
  "driver=blkdebug,config=$TEST_DIR/cor.ini,image.driver=qcow2,image.file.filename=$TEST_DIR/over2.qcow2"
$QEMU_IO -C --image-opts -c 'break cor_write A' -c 'aio_read 0 4k' -c 'wait_break A' -c 'aio_read 8k 4k' \
  -c 'resume A' -c 'aio_flush' -c map "driver=blkdebug,image.driver=qcow2,image.file.filename=$TEST_DIR/over2.qcow2"
$QEMU_IO -C -f qcow2 -c 'discard 0 64k' -c 'read -P 0x11 0 4k' -c map -c 'write -z 1M 4k' -c 'read -P 0 1M 4k' \
  -c map "$TEST_DIR/over2.qcow2"
md5sum < "$TEST_DIR/over2.qcow2"
# -d ignore: discards do nothing at any level, write-zeroes do not unmap below the format
$MKQCOW2 "$TEST_DIR/d.qcow2" 1M
$QEMU_IO -d ignore -f qcow2 -c 'write 0 128k' -c 'discard 0 64k' -c 'write -z -u 64k 64k' -c map "$TEST_DIR/d.qcow2"
md5sum < "$TEST_DIR/d.qcow2"
$QEMU_IO -c "open -d unmap -o driver=qcow2 $TEST_DIR/d.qcow2" -c 'discard 0 64k' -c map
md5sum < "$TEST_DIR/d.qcow2"
truncate -s 64k "$TEST_DIR/r.raw"
$QEMU_IO -d ignore -f raw -c 'write -P 7 0 4k' -c 'discard 0 4k' -c 'read -P 7 0 4k' "$TEST_DIR/r.raw"
$QEMU_IO -d on -f raw -c 'discard 0 4k' -c 'read -P 0 0 4k' "$TEST_DIR/r.raw"
