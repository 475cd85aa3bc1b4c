# difference: D2
# A write-zeroes under align=4k whose unaligned tail write meets an ENOTSUP rule armed by the
# aligned middle's pwritev_done: -ENOTSUP from the blkdebug node's bdrv_co_do_zero_pwritev makes
# the raw node's bdrv_co_do_pwrite_zeroes fall back to an ordinary write of a zero buffer, whose
# write_aio (raw_co_pwritev) arms the write_aio rule and drops the ENOTSUP one (process_rule:
# the first inject rule of an event empties the active list). That rule (errno EIO, once, any
# iotype) fails the fallback's padding read. QEMU 7.2 ignores the read's error, writes, reports
# success and its pwritev_done arms the ENOTSUP rule again (the next write fails); ours fails
# the write with EIO there, so pwritev_done does not fire and the next write succeeds
# (difftest seed 70000000 session 19766).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
once = "on"
[inject-error]
event = "pwritev_done"
errno = "95"
RULES
$QEMU_IO -t writeback --image-opts -c "write -z 536576 75264" -c "write -C -z 804864 100" "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.max-discard=8192,file.image.driver=file,file.image.filename=$TEST_DIR/t.raw,file.set-state.0.event=pwritev_done,file.set-state.0.state=0,file.set-state.0.new_state=2"
