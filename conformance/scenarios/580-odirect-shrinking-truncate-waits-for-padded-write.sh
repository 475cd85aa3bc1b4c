# A shrinking truncate waits for a serialising request whose range holds the new end. QEMU's
# bdrv_co_truncate tracks the empty range at the new length on every node it passes and waits
# (bdrv_co_write_req_prepare -> bdrv_wait_serialising_requests): tracked_request_overlaps with 0
# bytes is true for a range with the offset strictly inside. Under O_DIRECT on a fresh sparse file
# the file node's alignment is 4 KiB, so a 512-byte aio_write at 2560 is padded there to [0, 4096)
# and made serialising; the truncate to 3584 then waits for it, and the file ends 3584 bytes long.
# Cut first, the padded write of 4 KiB would grow the file back to 4096 (difftest seed 120000000
# session 1746, where the aio_write was held at `break pwritev` and resumed before the truncate).
# image-size: 4096
$QEMU_IO -t none --image-opts -c "break pwritev A" -c "aio_write -P 25 2560 512" -c "resume A" -c "write -P 135 65536 512" -c "truncate 3584" "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
stat -c %s "$IMG"
$QEMU_IO -f raw -c 'length' -c 'read -P 0 0 2560' -c 'read -P 25 2560 512' -c 'read -P 0 3072 512' "$IMG"
