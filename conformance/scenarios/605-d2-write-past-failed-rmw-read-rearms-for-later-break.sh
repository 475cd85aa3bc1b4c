# difference: D2
# A sticky rule on read_aio (EDQUOT, every iotype) fails a read, and so the padding read of a
# later unaligned write (align=4k). QEMU ignores that read's error (bdrv_padding_rmw_read's result
# is dropped in bdrv_co_pwritev_part): the write goes on, fails at blkdebug's own rule check, and
# fires pwritev_done, whose flush-only rule replaces the armed read_aio rule. A later aligned FUA
# write therefore gets through and reaches its emulated flush, where a break on flush_to_os
# suspends it; resumed, its flush meets the flush rule. Ours ends the unaligned write at its failed
# read (no pwritev_done), so the read_aio rule stays armed, fails the FUA write outright, and
# nothing is suspended: wait_break and resume fail. Difftest seed 150000000 session 2843.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "read_aio"
errno = "122"
[inject-error]
event = "pwritev_done"
errno = "122"
iotype = "flush"
RULES
$QEMU_IO -t writeback --image-opts -c "read 0 4096" -c "write -P 236 4608 8192" -c "break flush_to_os A" -c "aio_write -f -P 0xc5 294912 4096" -c "wait_break A" -c "resume A" -c aio_flush "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$TEST_DIR/t.raw"
md5sum < "$IMG"
