# A write-zeroes that may unmap (`write -z -u`, `aio_write -z -u`) reaches file-posix as a punched
# hole with FALLOC_FL_KEEP_SIZE: on an image whose length is not a multiple of 512, the part of
# the last sector past the end of the file is not written, and the file keeps its length (the
# bytes there read as zeroes anyway). Without -u, FALLOC_FL_ZERO_RANGE extends the file; with
# `-d ignore` (no BDRV_O_UNMAP) the flag is dropped above the file and the file grows too.
# Found by the differential tester (seed 31337 session 276).
# image-size: 1000000
$QEMU_IO -f raw -c 'write -P 7 999424 576' -c 'write -z -u 999900 512' -c 'read -P 0 999900 512' -c 'read -P 7 999424 476' -c length "$IMG"
stat -c 'size %s' "$IMG"
md5sum < "$IMG"
$QEMU_IO -f raw -c 'aio_write -z -u 999424 1024' -c aio_flush -c 'read -P 0 999424 1024' "$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO --image-opts -c 'write -z -u 999424 1024' "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
stat -c 'size %s' "$IMG"
$QEMU_IO -f raw -c 'write -z 999424 1024' "$IMG"
stat -c 'size %s' "$IMG"
truncate -s 1000000 "$IMG"
$QEMU_IO -f raw -d ignore -c 'write -z -u 999424 1024' "$IMG"
stat -c 'size %s' "$IMG"
md5sum < "$IMG"
