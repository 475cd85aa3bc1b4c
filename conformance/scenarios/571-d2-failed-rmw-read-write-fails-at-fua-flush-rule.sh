# difference: D2
# An unaligned writethrough writev (align=4k, head and tail in two blocks) whose tail read a once
# rule fails (EPERM, armed by pwritev_rmw_tail), with a sticky flush_to_os rule (errno 95, every
# iotype): QEMU ignores the read's error (bdrv_padding_rmw_read's return value is dropped in
# bdrv_co_pwritev_part), writes the block, and the FUA flush the raw node emulates
# (bdrv_driver_pwritev's emulate_flags: neither blkdebug nor file-posix takes BDRV_REQ_FUA) fires
# flush_to_os, which arms that rule: the flush and so the writev fail with EOPNOTSUPP and the
# later read with it too. Ours ends the writev at its failed read (EPERM, the rule used up),
# nothing is armed after it, the read passes, the image keeps its zeros. Difftest seed 140000000
# session 2222.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[set-state]
event = "pwritev_rmw_tail"
state = "2"
new_state = "1"
[inject-error]
event = "flush_to_os"
errno = "95"
once = "off"
[inject-error]
event = "pwritev_rmw_after_head"
immediately = "off"
iotype = "write"
RULES
$QEMU_IO --image-opts -c aio_flush -c "readv -q -P 0x24 120320 512 100 512" -c "writev -C -P 0x16 4608 3584 100 100" -c "read -P 0xb1 933376 4096" "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4k,file.max-transfer=65536,file.image.driver=file,file.image.filename=$TEST_DIR/t.raw,file.set-state.0.event=pwritev,file.set-state.0.state=0,file.set-state.0.new_state=1,file.inject-error.0.event=pwritev_rmw_tail,file.inject-error.0.errno=1,file.inject-error.0.once=on,file.inject-error.0.state=1"
md5sum < "$IMG"
