# A truncate that fails leaves the node's write generation alone: io.c's bdrv_co_truncate jumps
# past bdrv_co_write_req_finish when the driver fails ("goto out"), so a flush with nothing
# written since the last one still skips flush_to_disk, and a blkdebug rule on that event is
# not armed. Failures of qcow2 (unaligned size, preallocation while shrinking) and of the file
# under raw (-m metadata) are all such; a truncate that succeeds does arm the rule (the raw
# read after the second flush fails). Difftest seed 80000000 session 5216: a FUA write-zeroes
# after a failed unaligned qcow2 truncate, whose emulated flush fired flush_to_disk in ours.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "flush_to_disk"
RULES
$QEMU_IO -f raw -c "truncate -m metadata 2M" -c flush -c "read 0 512" -c "truncate 2M" -c flush -c "read 0 512" \
  "blkdebug:$TEST_DIR/rules.conf:$IMG"
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/t.qcow2" 1M
$QEMU_IO -c "truncate 1000000" -c "truncate -m metadata 512K" -c flush -c "write -P 1 0 4096" \
  -c "write -q -f -z -u 957440 1024" "blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/t.qcow2"
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/u.qcow2" 1M
$QEMU_IO -c "open -o driver=qcow2,file.max-discard=4096 blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/u.qcow2" \
  -c "truncate -m off 1000000" -c "write -q -f -z -u 957440 1024"
