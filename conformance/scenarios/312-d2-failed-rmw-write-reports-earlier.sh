# An aio_write under align=4k whose padding (RMW) read fails (a rule its own pwritev_rmw_head
# arms, errno 95, immediately=off), then an aio_read whose read_aio rule (errno 5) replaces the
# armed rule while both wait for the loop. QEMU ignores the failed read and goes on to the write,
# which meets the read's rule: the read's report comes first, then the write's with errno 5. Ours
# ends the write at its read (D2): its report comes first, with errno 95 (difftest seed 20261203
# session 14757).
# difference: D2
printf '[inject-error]\nevent = "pwritev_rmw_head"\nerrno = "95"\n[inject-error]\nevent = "read_aio"\nerrno = "5"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "aio_write -P 81 300032 512" -c "aio_read -P 0 1024 100" -c aio_flush \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
