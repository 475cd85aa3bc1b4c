# difference: D2
# A failed padding (RMW) read of an unaligned write with align=4k: the iotype=read rule
# armed by pwritev_rmw_head fails the RMW read. QEMU 7.2 ignores the read's error and
# writes anyway (reporting success); ours fails the write with the read's errno and leaves
# the image unchanged (read -P 0x11 checks it: a pattern mismatch in QEMU, success in ours).
opts="driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -f raw -c 'write -P 0x11 0 8k' "$IMG"
$QEMU_IO --image-opts -t writeback -c 'write -P 0x22 512 512' -c 'read -P 0x11 512 512' \
  "$opts,file.inject-error.0.event=pwritev_rmw_head,file.inject-error.0.errno=28,file.inject-error.0.once=on,file.inject-error.0.iotype=read"
$QEMU_IO -f raw -c 'read -P 0x11 4096 4096' "$IMG"
echo "== the write then fails by a rule on pwritev: QEMU reports that rule's errno, ours the read's"
printf '[inject-error]\nevent = "pwritev"\nerrno = "22"\n' > "$TEST_DIR/w.conf"
$QEMU_IO --image-opts -c 'aio_write -P 0xc8 376832 8192' -c aio_flush -c 'write -P 164 65536 512' \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/w.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=pwritev_done,file.inject-error.0.errno=5,file.inject-error.0.sector=135"
