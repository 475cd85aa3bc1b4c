# Two allocating writes past the end of the image file and a once=on, immediately=on error armed
# by write_aio: the first write's data write to fire it fails. A (4 KiB, a whole fresh cluster's
# start) is held at l2_alloc_write and resumed; it then links the L2 table, maps its cluster,
# unlocks qcow2's lock (waking B) and zeroes its cluster past the end of the file
# (cluster_alloc_space). B (64 KiB over two fresh clusters, unaligned) maps its clusters and zeroes
# them past the end too. QEMU's file-posix makes a write-zeroes past the end of the file
# serialising (raw_do_pwrite_zeroes), so B's zero-write waits for A's; A goes on to its data
# write first, fires write_aio and fails at once; B succeeds. Without the serialisation B's
# zero-write, begun last, ends first in the round (the pool's newest-first order), so B fires
# write_aio and fails and A succeeds (difftest seed 20300000 session 6741, qemu-io the same in
# 25 of 25 runs).
# image-format: qcow2
# image-size: 4194304
printf '[inject-error]\nevent = "write_aio"\nsector = "-1"\nonce = "on"\nimmediately = "on"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "break l2_alloc_write A" -c "aio_write -P 0x99 524288 4096" -c "wait_break A" -c "resume A" \
  -c "aio_write -P 0xcf 1004032 65536" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -c "read -q -P 0x99 524288 4096" -c "read -q -P 0xcf 1004032 65536" "$IMG"
