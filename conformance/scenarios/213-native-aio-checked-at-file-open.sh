# -k (aio=native on every file node) without O_DIRECT is refused by file-posix as soon as the file
# is open: before a qcow2 driver above reads its metadata (here a rule armed by the "none" event
# would fail those reads), after a missing file's error.
# image-format: qcow2
# image-size: 4M
printf '[inject-error]\nevent = "none"\nerrno = "13"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -k -f qcow2 -c 'length' "blkdebug:$TEST_DIR/c.ini:$IMG"
$QEMU_IO -k -f qcow2 -c 'length' "blkdebug:$TEST_DIR/c.ini:$TEST_DIR/missing.qcow2"
$QEMU_IO --image-opts -c 'length' "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/c.ini,file.image.driver=file,file.image.aio=native,file.image.filename=$IMG"
$QEMU_IO -k -t none -f qcow2 -c 'length' "blkdebug::$IMG"
echo "== the file node is opened before blkdebug checks its constraints: aio=native's error comes first"
$QEMU_IO -k --image-opts -c length \
  "driver=raw,file.driver=blkdebug,file.align=65536,file.opt-discard=4096,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO --image-opts -c length \
  "driver=raw,file.driver=blkdebug,file.opt-write-zero=100,file.image.driver=file,file.image.aio=native,file.image.filename=$IMG"
