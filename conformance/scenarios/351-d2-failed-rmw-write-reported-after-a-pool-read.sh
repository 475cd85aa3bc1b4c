# difference: D2
# Under align=4k and -t writethrough, an aio_read in flight in the thread pool, then an aio_write
# of 512 bytes inside one 4k block: its merged padding read fires pwritev_rmw_head and
# pwritev_rmw_tail, whose rule (EIO, immediately=on, every iotype) fails that read. QEMU ignores
# the read's error (bdrv_padding_rmw_read's return value is dropped), goes on to pwritev, whose
# flush-only rule (EINVAL) replaces the armed one, writes the block through the pool and fails
# at the FUA flush: the aio_read's report comes first, then the write's with EINVAL, and the image
# holds the write. Ours ends the write at its failed read, before the pool: its EIO report comes
# first and the image is unchanged (difftest seed 20300000 session 14053, where QEMU then hangs
# at a wait_break for pwritev_rmw_after_head, which neither write reaches). The read is small so
# that QEMU's pool finishes it during the write's first call: this order in 100 of 100 runs (a
# 65537-byte read, as in the session: 98 of 100).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_rmw_tail"
once = "off"
immediately = "on"
[inject-error]
event = "pwritev"
errno = "22"
iotype = "flush"
RULES
$QEMU_IO -t writethrough -c "aio_read 262654 512" -c "aio_write -P 0x86 74240 512" -c aio_flush \
  "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/rules.conf\",\"align\":\"4k\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
md5sum < "$IMG"
