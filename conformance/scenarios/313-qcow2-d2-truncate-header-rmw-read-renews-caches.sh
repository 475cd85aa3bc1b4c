# qcow2 over blkdebug with align=512: write -f's flush fires flush_to_os, which arms a read rule
# (errno 5, once=off). truncate's header update (8 bytes at offset 24) pads to 512 and its RMW
# read meets that rule. QEMU ignores the failed read (D2) and writes the header block with its
# unread padding buffer (the image no longer reads as qcow2), then renews qcow2's metadata caches
# (qcow2_update_options at the end of qcow2_co_truncate): the next alloc reads the L2 table again
# and fails. Ours fails the truncate at its read ("Failed to update the image size"), keeps its
# caches, and the alloc answers from them (difftest seed 20261203 session 18947). QEMU's t.qcow2
# is no qcow2 image afterwards, so qemu-img check sees only the copy made before; ours sees both.
# difference: D2
# image-format: qcow2
cp "$IMG" "$TEST_DIR/before.qcow2"
printf '[inject-error]\nevent = "flush_to_os"\nerrno = "5"\nimmediately = "off"\nstate = "1"\niotype = "read"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "write -f -P 0x49 869888 512" -c "truncate 1049088" -c "alloc 65536 8192" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=512,file.image.driver=file,file.image.filename=$IMG"
