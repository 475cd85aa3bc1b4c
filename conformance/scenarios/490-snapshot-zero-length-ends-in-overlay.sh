# Under -s qemu-io's top node is the temporary qcow2 overlay, and it ends a zero-length read or
# write itself: qcow2_co_preadv_part's and qcow2_co_pwritev_part's loops do not run, nothing
# goes below (a FUA one's flush is the temporary file's cache=unsafe one), so the request never
# yields and its report comes from blk_aio_prwv's bottom half, before an earlier failed
# request's (bottom halves run newest first). Without -s the same write reaches the file and
# its report comes a round later (difftest seed 80000000 session 8570: a past-the-end
# aio_write, then `aio_write -f ... 0`). A zero-length write while an allocating write is in
# flight waits for the overlay's metadata lock (taken after the loop): it ends a round later.
# image-size: 512512
$QEMU_IO -s -n -f raw -c "aio_write -P 0xde 512511 43520" -c "aio_write -f -P 0x5e 31744 0" "blkdebug::$IMG"
$QEMU_IO -f raw -c "aio_write -P 0xde 512511 43520" -c "aio_write -f -P 0x5e 31744 0" "blkdebug::$IMG"
$QEMU_IO -s -f raw -c "aio_read 512511 43520" -c "aio_read 4096 0" -c "aio_write -z 8192 0" "blkdebug::$IMG"
$QEMU_IO -s -f raw -c "write 0 512" -c "aio_read 512511 512" -c "aio_write -f 4096 0" "blkdebug::$IMG"
$QEMU_IO -s -f raw -c "aio_write 0 512" -c "aio_read 512511 512" -c "aio_write 4096 0" -c "aio_read 8192 0" "blkdebug::$IMG"
