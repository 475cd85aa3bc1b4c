# difference: D2
# Under align=4096 and -t writethrough, a write_aio rule (once, EIO, every iotype) fails an
# unaligned writev's head (RMW) read. QEMU ignores the read's error (bdrv_padding_rmw_read's
# return value is dropped in bdrv_co_pwritev_part), writes the padded blocks and, FUA not being
# supported below raw, flushes (bdrv_driver_pwritev's emulate_flags): bdrv_co_flush fires
# flush_to_os on blkdebug, whose rule (EOPNOTSUPP, every iotype, sticky) is armed and fails the
# flush, so the writev reports EOPNOTSUPP. That rule stays armed and fails the later aio_write's
# head read too, so the write never fires pwritev_rmw_after_head (bdrv_padding_rmw_read returns
# before it) and then fails itself: breakpoint A is never reached, `resume A` fails. Ours ends the
# writev at its failed read (EIO), before any flush, so nothing is armed: the aio_write reads,
# is suspended at A, and once resumed fails at its own FUA flush, whose flush_to_os arms the rule.
# The second qemu-io shows the images: QEMU's holds the writev, ours the aio_write. In the
# generated session (difftest seed 90000000 session 15801) a `wait_break A` follows the aio_write:
# QEMU hangs there (26 of 26 runs), ours goes on.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
once = "on"
RULES
$QEMU_IO -t writethrough --image-opts -c "writev -q -P 254 219648 3584 1024" \
  -c "break pwritev_rmw_after_head A" -c "aio_write -P 0xc5 377344 512" -c "sleep 100" -c "resume A" -c aio_flush \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=95"
$QEMU_IO -f raw -c "read -q -P 254 219648 4608" -c "read -q -P 0xc5 377344 512" "$IMG"
