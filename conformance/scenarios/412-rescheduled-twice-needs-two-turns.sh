# An immediately=off error reschedules the coroutine (aio_co_schedule), and QEMU's co_schedule_bh
# enters only the coroutines scheduled before it ran: a writethrough write that a rule lets
# "succeed" without I/O (a negative errno) is rescheduled at its write and again at its flush, so
# it reports a turn after a read rescheduled once, though it came first; writes whose flushes
# queue behind it (bdrv_co_flush's flush_queue) go on one turn after another, a sync write last.
# (difftest seed 50000000 sessions 36, 1303, 2576, 2579)
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "none"
errno = "-5"
RULES
$QEMU_IO -f raw -c "aio_write -P 1 0 512" -c "aio_read 4096 512" -c "aio_write -P 2 8192 512" -c "aio_read 0 512" -c aio_flush -c "aio_write -P 3 0 512" -c "aio_read 4096 512" -c "read 8192 512" -c "aio_write -P 4 0 512" -c "readv 4096 512" "blkdebug:$TEST_DIR/rules.conf:$IMG"
$QEMU_IO -c "open -o driver=raw,file.inject-error.0.event=pwritev,file.inject-error.0.errno=-5 blkdebug::$IMG" -c "break pwritev A" -c "aio_write -P 29 305152 512" -c "wait_break A" -c "aio_write -P 54 786432 4096" -c "aio_read 524288 4096" -c "resume A" -c "write -P 32 131072 8192"
md5sum < "$IMG"
