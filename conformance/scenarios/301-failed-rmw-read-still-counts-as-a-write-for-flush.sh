# A write whose read-modify-write read fails still counts as a write of blkdebug's node for the
# next flush: QEMU ignores the read's error (D2) and its bdrv_aligned_pwritev ends in
# bdrv_co_write_req_finish, which bumps the node's write_gen whether the write failed or not;
# so the next flush of the node is not skipped (bdrv_co_flush: flushed_gen != write_gen) and
# meets the still-armed rule. Ours ends such a write at its read (D2), but bumps the generation
# all the same. Here the write fails in both (QEMU: the armed rule fails its pwritev too); then
# the FUA flush (writethrough) of a zero-length write unaligned to align=4096, which itself does
# nothing below raw, flushes blkdebug and fails: 'write failed: Input/output error' (difftest
# seed 20261203 session 11366). Once for a write, once for a write-zeroes (-z: the padding of
# bdrv_co_do_zero_pwritev).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_rmw_tail"
once = "off"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
for z in "" "-z "; do
  echo "== write ${z}then a zero-length write"
  $QEMU_IO --image-opts -c "write ${z}4608 4096" -c "write 653824 0" -c "write 653824 0" "$O"
done
md5sum < "$IMG"
