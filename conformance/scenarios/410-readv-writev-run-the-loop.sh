# readv and writev are aio requests in qemu-io 7.2 that it waits for with main_loop_wait, not
# BDRV_POLL_WHILE (qemu-io-cmds.c do_aio_readv/do_aio_writev): one that fails at once (past the
# end) still runs a turn of the loop, whose bottom halves report the aio requests that failed at
# once before it, and continue those an immediately=off error rescheduled. read and write do not
# poll when their request finished without blocking, so those reports come after their line.
# (difftest seed 50000000 sessions 43, 945, 1284)
# image-size: 4096
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "none"
errno = "5"
iotype = "write"
immediately = "off"
RULES
$QEMU_IO -f raw -c "aio_write 0 8192" -c "writev 0 8192" -c "aio_read 4096 512" -c "readv 0 512" -c "aio_write 0 8192" -c "write 0 8192" -c "aio_write 1024 8192" -c "readv -P 0 0 512 512" -c "aio_read 0 8192" -c "read 0 8192" -c "aio_read 0 8192" -c "readv 0 8192" "$IMG"
$QEMU_IO -f raw -c "aio_write 0 512" -c "writev 0 8192" -c "aio_write 512 512" -c "write 0 8192" -c "aio_write 1024 512" -c "readv 4096 512" -c "aio_flush" "blkdebug:$TEST_DIR/rules.conf:$IMG"
md5sum < "$IMG"
