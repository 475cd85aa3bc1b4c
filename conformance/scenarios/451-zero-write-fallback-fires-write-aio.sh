# A write-zeroes under align=4k whose unaligned tail write fails with ENOTSUP (a rule armed by
# the aligned middle's pwritev_done) falls back, at the raw format node, to an ordinary write of
# zeroes (bdrv_co_do_pwrite_zeroes on -ENOTSUP): raw_co_pwritev fires write_aio, which arms the
# write_aio rule and drops the ENOTSUP one. With iotype=write the padding read passes and the
# fallback's write meets the write_aio rule (EIO, once); that write's pwritev_done arms the
# ENOTSUP rule again, which the later requests meet. Without the write_aio rule (last run) the
# fallback's write meets the ENOTSUP rule itself. Ours matches QEMU here; 450 is the same with a
# write_aio rule that also fails reads (D2). (difftest seed 70000000 session 19766)
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
once = "on"
iotype = "write"
[inject-error]
event = "pwritev_done"
errno = "95"
RULES
opts="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -t writeback --image-opts -c "write -z 536576 75264" -c "write -z 804864 100" -c "read 0 512" -c "write -z 8192 4096" -c "read 0 512" "$opts"
echo "== the fallback on an aligned-head write-zeroes (head written through the fallback too)"
$QEMU_IO -t writeback --image-opts -c "write -z 4096 4096" -c "write -z 10000 9000" -c "read -v 8192 16" "$opts"
echo "== without the write_aio rule the fallback's write meets the ENOTSUP rule"
printf '[inject-error]\nevent = "pwritev_done"\nerrno = "95"\n' > "$TEST_DIR/n.conf"
$QEMU_IO -t writeback --image-opts -c "write -z 4096 4096" -c "write -z 10000 9000" "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/n.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
