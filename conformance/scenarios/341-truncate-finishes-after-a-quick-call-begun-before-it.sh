# A write that finishes in the same poll as a shrinking truncate begun after it: QEMU's ftruncate
# outlasts the fallocate of the write-zeroes resumed just before, so the write's end grows the
# blkdebug node's length first (bdrv_co_write_req_finish) and the truncate then sets it; the
# length and map show the truncated size. The shell's lockstep finishes an ftruncate after the
# quick calls of its round, as it does an O_DIRECT call. (After a resumed 512-byte pwrite instead,
# QEMU's own timing decides: the truncated length in 6 of 10 runs, the write's end in 4.)
img_opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
echo "== write-zeroes resumed, then truncate"
$QEMU_IO --image-opts -c 'break pwritev_zero A' -c 'aio_write -z 309760 512' -c 'wait_break A' \
  -c 'resume A' -c 'truncate 65537' -c aio_flush -c map -c length "$img_opts"
