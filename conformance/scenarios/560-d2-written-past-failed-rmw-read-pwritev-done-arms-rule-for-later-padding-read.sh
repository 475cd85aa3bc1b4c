# difference: D2
# Under align=4096 a pwritev_rmw_head rule (once, EIO, every iotype) fails the merged padding read
# of an unaligned writev (head and tail padding in one 8 KiB read). QEMU ignores the read's error
# (bdrv_co_pwritev_part drops bdrv_padding_rmw_read's return value), the rule is used up, so the
# write itself goes through, and its pwritev_done arms a sticky EIO rule (immediately=on). That
# rule fails the next read, then the aio_write's padding read, which therefore never fires
# pwritev_rmw_after_tail (bdrv_padding_rmw_read returns before it), and then its write: breakpoint
# A is never reached and `resume A` fails. Ours ends the writev at its failed read, before
# pwritev_done, so nothing is armed: the read passes, the aio_write is suspended at A and, resumed,
# writes. The second qemu-io shows the images: QEMU's holds the writev, ours the aio_write. In the
# generated session (difftest seed 110000000 session 3559) a `wait_break A` follows the aio_write:
# QEMU hangs there (20 of 20 runs), ours goes on.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_done"
errno = "5"
immediately = "on"
[inject-error]
event = "pwritev_rmw_head"
once = "on"
RULES
$QEMU_IO -t writeback --image-opts -c "writev -q -P 7 889856 3584" -c "read -q 687033 512" \
  -c "break pwritev_rmw_after_tail A" -c "aio_write -P 184 507904 512" -c "sleep 100" -c "resume A" -c aio_flush \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -f raw -c "read -q -P 7 889856 3584" -c "read -q -P 184 507904 512" "$IMG"
