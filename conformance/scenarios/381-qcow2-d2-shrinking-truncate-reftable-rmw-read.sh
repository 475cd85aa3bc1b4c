# qcow2 over blkdebug with align=65536: an aio_write held at l2_update (its new L2 table's write)
# fires write_aio after it is resumed, which arms a read rule (errno 1, sector 8, once=off). A
# shrinking truncate then writes the refcount table (qcow2_shrink_reftable's write, 4 KiB at
# 4096), which align pads to 64 KiB; its RMW read meets the rule. QEMU ignores the failed read
# (D2): the truncate goes through and renews qcow2's metadata caches (qcow2_update_options at the
# end of qcow2_co_truncate), so the aio_write's link reads its L2 table again, fails, and its
# abort's qcow2_free_clusters fails too ('qcow2_free_clusters failed', exit 0). Ours fails the
# truncate ('Failed to discard unused refblocks', exit 1) and keeps its caches: the aio_write
# still fails with EPERM (the rule meets the RMW reads of its own metadata writes), and close
# cannot write the refcount block back (difftest seed 31000000 session 1568). The images differ: QEMU's header block got the padding buffer's
# zeroes (no qcow2 image any more, so qemu-img check sees only the copy made before); ours is clean.
# difference: D2
# image-format: qcow2
# image-size: 4M
# image-options: cluster_size=4096
cp "$IMG" "$TEST_DIR/before.qcow2"
printf '[inject-error]\nevent = "write_aio"\nerrno = "1"\nsector = "8"\niotype = "read"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "break l2_update A" -c "aio_write -P 104 917504 131072" -c "wait_break A" \
  -c "resume A" -c "truncate 4193792" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=65536,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
