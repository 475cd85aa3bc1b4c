# The same rules with qemu-io's default cache mode, writethrough: every write is followed by
# a flush of the qcow2 node inside the request, so a rule on a write-back event fails the
# write itself ("write failed" after the data landed), and once=off keeps failing every
# later metadata write, down to the cache flushes at close.
# image-format: qcow2
# image-size: 16M
cp "$IMG" "$TEST_DIR/base.qcow2"
args=()
for ev in l2_update refblock_update_part flush_to_os flush_to_disk l1_update; do
  for once in on off; do
    cp "$TEST_DIR/base.qcow2" "$TEST_DIR/$ev-$once.qcow2"
    printf '[inject-error]\nevent = "%s"\nerrno = "28"\nonce = "%s"\n' "$ev" "$once" > "$TEST_DIR/$ev-$once.ini"
    args+=(-c "open -o driver=qcow2 blkdebug:$TEST_DIR/$ev-$once.ini:$TEST_DIR/$ev-$once.qcow2" \
           -c "write -P 0x5a 0 64k" -c "write -P 0x5b 64k 512" -c close)
  done
done
$QEMU_IO "${args[@]}"
for f in "$TEST_DIR"/*-o*.qcow2; do
  echo "== $(basename "$f"): $(md5sum < "$f")"
done
