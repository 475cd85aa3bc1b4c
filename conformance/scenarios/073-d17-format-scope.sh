# difference: D17
# The format scope: raw and qcow2 (format drivers), file and blkdebug (protocols). Another driver
# named by -f, json: or --image-opts is "Unknown driver", as a QEMU built without it says; another
# protocol prefix is "Unknown protocol". An image another format's probe would claim (its magic)
# is refused, not opened as raw: raw writes would land in its metadata.
$QEMU_IO -f vmdk -c 'read 0 512' "$IMG"
$QEMU_IO --image-opts -c 'read 0 512' "driver=qed,file.filename=$IMG"
$QEMU_IO -c 'read 0 512' 'json:{"driver":"null-co"}'
$QEMU_IO -c 'read 0 512' "nbd:unix:$TEST_DIR/none.sock"
$QEMU_IO -f raw -c 'read 0 512' "$TEST_DIR/x:y"
printf 'QED\0' | dd of="$TEST_DIR/q.img" conv=notrunc status=none; truncate -s 1M "$TEST_DIR/q.img"
printf 'conectix' | dd of="$TEST_DIR/v.img" conv=notrunc status=none; truncate -s 1M "$TEST_DIR/v.img"
$QEMU_IO -c 'read 0 512' "$TEST_DIR/q.img"
$QEMU_IO -c 'read 0 512' "$TEST_DIR/v.img"
$QEMU_IO -f raw -c 'read -v 0 16' "$TEST_DIR/q.img"
