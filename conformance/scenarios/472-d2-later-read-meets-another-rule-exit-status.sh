# difference: D2
# The padding read of an unaligned aio_write (align=4k) meets a sticky ENOSPC rule armed at open
# (event none). QEMU 7.2 ignores the read's error; the write itself fails on the same rule, but
# its pwritev_done still fires and arms the sector-0 rule, dropping the sticky one, so the later
# read goes through and qemu-io exits 0. Ours ends the write at its read, fires no pwritev_done,
# and the read fails on the sticky rule: exit status 1 (difftest seed 80000000 session 14344,
# shrunk; the session itself parts on its later aio_writes, whose errnos and image differ).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_done"
errno = "-5"
sector = "0"
[inject-error]
event = "none"
errno = "28"
once = "off"
RULES
$QEMU_IO -t directsync --image-opts -c "aio_write -P 99 814592 1024" -c aio_flush -c "read 65536 8192" \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
