# Resizing and VM state: truncate up grows L1 (l1_grow_*), truncate down discards the cropped
# clusters and shrinks L1 (l1_shrink_*); write -b / read -b use the area after the disk,
# which also needs a bigger L1. Rules on the growth and shrink events fail them cleanly.
# image-format: qcow2
# image-size: 64M
# image-options: cluster_size=4096
$QEMU_IO -f qcow2 -c 'write -P 0x11 0 4k' -c 'write -P 0x12 60M 4k' -c 'truncate 1G' -c length -c info \
  -c 'write -P 0x13 900M 4k' -c 'read -P 0x13 900M 4k' -c 'truncate 8M' -c length -c 'read -P 0x11 0 4k' -c map "$IMG"
md5sum < "$IMG"
$QEMU_IO -f qcow2 -c 'write -b -P 0x21 0 4k' -c 'read -b -P 0x21 0 4k' -c 'write -b -P 0x22 1M 512' -c 'read -b -P 0x22 1M 512' \
  -c 'read -P 0x11 0 4k' "$IMG"
args=()
for ev in l1_grow_alloc_table l1_grow_write_table l1_grow_activate_table l1_shrink_write_table \
          l1_shrink_free_l2_clusters vmstate_save; do
  printf '[inject-error]\nevent = "%s"\nerrno = "5"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -t writeback -o driver=qcow2 blkdebug:$TEST_DIR/$ev.ini:$IMG" -c 'truncate 2G' -c length \
         -c 'write -b 64M 512' -c 'truncate 4M' -c length -c close)
done
$QEMU_IO "${args[@]}"
$QEMU_IO -r -f qcow2 -c map -c 'read -P 0x11 0 4k' "$IMG"
md5sum < "$IMG"
