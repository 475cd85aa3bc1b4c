# qcow2's write-zeroes of part of a cluster first asks whether the rest of the cluster reads as
# zeroes (is_zero, a block status). A block status that fails (its L2 table's read meets a once
# rule armed by l2_load) answers "not zero" in QEMU (is_zero's `res >= 0 && ...`): the write falls
# back to writing a buffer of zeroes, whose own L2 read then passes. It must not fail the write.
# Difftest seed 190000000 session 3746 (there the rule was armed by a same-size truncate's header
# write, whose qcow2_update_options had emptied the L2 cache).
# image-format: qcow2
# image-size: 1M
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "l2_load"
once = "on"
RULES
$QEMU_IO -c 'write -P 0x11 0 4k' "$IMG"
$QEMU_IO -c 'write -z 8k 512' -c 'read -P 0x11 0 4k' -c 'read -P 0 4k 60k' -c 'aio_write -z -C 16k 1k' -c aio_flush \
  -c map "blkdebug:$TEST_DIR/rules.conf:$IMG"
md5sum < "$IMG"
