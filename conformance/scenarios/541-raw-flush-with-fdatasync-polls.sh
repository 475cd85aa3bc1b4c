# A `flush` on raw polls the loop when it calls fdatasync: bdrv_flush runs its coroutine under
# bdrv_poll_co (BDRV_POLL_WHILE), and bdrv_co_flush calls the file's flush_to_disk only when
# something was written since the last flush (flushed_gen != write_gen; a finished write or
# truncate bumps write_gen in bdrv_co_write_req_finish). While the fdatasync runs in the thread
# pool, the pool's completion bottom half continues an aio_write whose quicker pwrite finished
# first: it reports during the flush, before `length`. With nothing to flush (the aio_write has
# not finished, so it has not bumped write_gen yet; or a flush came first) no call is made, the
# flush does not poll, and the aio_write reports at exit. Before, the shell never polled for a
# raw flush (difftest seed 90000000 session 4638). 20 of 20 runs of qemu-io by hand agree.
echo "== a write before: the flush calls fdatasync and polls"
$QEMU_IO -f raw -t writeback -c 'write -q -P 1 65536 512' -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/t.raw"
echo "== nothing written before: no call, no poll"
$QEMU_IO -f raw -t writeback -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/t.raw"
echo "== a truncate before bumps write_gen too"
$QEMU_IO -f raw -t writeback -c 'truncate 2097152' -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/t.raw"
echo "== through blkdebug"
$QEMU_IO -f raw -t writeback -c 'write -q -P 1 65536 512' -c 'aio_write -P 5 0 512' -c flush -c length "blkdebug::$TEST_DIR/t.raw"
echo "== written, then flushed: the second flush has nothing to do"
$QEMU_IO -f raw -t writeback -c 'write -q -P 1 65536 512' -c flush -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/t.raw"
echo "== unsafe: no fdatasync at all"
$QEMU_IO -f raw -t unsafe -c 'write -q -P 1 65536 512' -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/t.raw"
md5sum < "$IMG"
