# A sticky error (errno 28, once=off) that strikes while a multi-piece write grows the refcount
# table (512-byte clusters, 64-bit refcounts: every 64 clusters is a new L2 table, so a 3 MiB
# write is 96 pieces). QEMU runs each piece's data write and L2 link as a task beside the
# request's next allocation, so the piece written just before the growth links after the
# failure, fails too and leaks its 64 clusters; ours links each piece before mapping the next,
# so that piece stays in the image (64 clusters more allocated, 64 fewer leaked; both images
# are consistent, the data that was written reads back). The rule on each growth event.
# difference: Q2
# image-format: qcow2
# image-size: 8M
# image-options: cluster_size=512,refcount_bits=64
cp "$IMG" "$TEST_DIR/base.qcow2"
events="reftable_grow refblock_alloc_write_blocks refblock_alloc_write_table refblock_alloc_switch_table"
args=()
for ev in $events; do
  cp "$TEST_DIR/base.qcow2" "$TEST_DIR/$ev.qcow2"
  printf '[inject-error]\nevent = "%s"\nerrno = "28"\nonce = "off"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -o driver=qcow2 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/$ev.qcow2" \
         -c "write -P 0x5a 0 3M" -c "write -P 0x5b 6M 4k" -c flush -c close)
done
$QEMU_IO -t writeback "${args[@]}"
for ev in $events; do
  echo "== $ev: $(md5sum < "$TEST_DIR/$ev.qcow2")"
done
$QEMU_IO -r -f qcow2 -c map "$TEST_DIR/reftable_grow.qcow2"
rm -f "$TEST_DIR/base.qcow2" "$IMG"
