# A device opened after `close` numbers its requests from 1 again, as the one before it did. The
# shell's model of qemu-io's loop must not take a request of the new device for the old one of
# the same id: a request that waited for another (here the last write, whose writethrough flush
# queues behind A's in bdrv_co_flush) starts once that request has ended in this device, not at
# the round in which an old namesake ended. QEMU: the aio_read submitted while A is suspended and
# A itself (resumed, it goes on to its flush) report in the poll of the last write
# (BDRV_POLL_WHILE), before the write's own report. Before, the write started in a round long
# past, ran ahead and reported before both (difftest seed 90000000 session 19670; 20 of 20 runs
# of qemu-io by hand give this order).
$QEMU_IO -f raw -c "write -q -P 36 600000 512" -c close -c "open -o driver=raw blkdebug::$TEST_DIR/t.raw" -c "break pwritev_done A" -c "aio_write -P 224 332800 1024" -c "wait_break A" -c "aio_read 786432 4096" -c "resume A" -c "write -P 0xf1 512 37376" "blkdebug::$TEST_DIR/t.raw"
md5sum < "$IMG"
