# One inject-error rule (errno 5, once) per qcow2 event that the first write into a fresh
# image fires, each on its own copy of the image, opened in one session: which request
# fails, which cache flushes fail at close (stderr), and what each image holds afterwards.
# QEMU's write-back order decides all of it: refcount blocks before the L2 table that
# depends on them, L2 tables before the L1 entry.
# image-format: qcow2
# image-size: 16M
cp "$IMG" "$TEST_DIR/base.qcow2"
args=()
for ev in cluster_alloc refblock_alloc refblock_load refblock_update_part l2_alloc_write l2_update \
          l1_update write_aio cluster_alloc_space pwritev pwritev_done flush_to_os flush_to_disk; do
  cp "$TEST_DIR/base.qcow2" "$TEST_DIR/$ev.qcow2"
  printf '[inject-error]\nevent = "%s"\nerrno = "5"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -o driver=qcow2 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/$ev.qcow2" \
         -c "write -P 0x5a 4k 8k" -c "write -P 0x5b 1M 64k" -c flush -c close)
done
$QEMU_IO -t writeback "${args[@]}"
for ev in cluster_alloc refblock_alloc refblock_load refblock_update_part l2_alloc_write l2_update \
          l1_update write_aio cluster_alloc_space pwritev pwritev_done flush_to_os flush_to_disk; do
  echo "== $ev: $(md5sum < "$TEST_DIR/$ev.qcow2")"
done
$QEMU_IO -r -c map -c 'read -P 0x5a 4k 8k' -c 'read -P 0x5b 1M 64k' "$TEST_DIR/l2_update.qcow2"
