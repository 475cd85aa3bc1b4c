# A request waiting for qcow2's metadata lock (a CoMutex) that the holder hands on as it ends runs
# only after the holder's coroutine has returned: the holder's aio callback prints its report first.
# A sync read behind an aio_write whose L2 allocation fails (the l2_update rule fails the new table's
# write) prints after "aio_write failed". A read behind a write that unlocks, fails at its
# write-zeroes (COW of the rest of the cluster) and waits for the lock again to clean up runs first:
# the write gets the lock back from the read's end, so the read reports first, aio_read or read.
# (difftest seed 50000000 sessions 527, 764)
# image-format: qcow2
# image-size: 2M
$QEMU_IO -t none --image-opts -c flush -c "aio_write 732160 101888" -c "read 4096 117760" -c "write -P 142 2093056 4096" "driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=l2_update,file.inject-error.0.errno=22,file.inject-error.0.once=off"
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev"
errno = "5"
immediately = "on"
iotype = "write-zeroes"
RULES
for i in 1 2; do $MKQCOW2 "$TEST_DIR/f$i.qcow2" 2M >/dev/null; done
$QEMU_IO -c "aio_write -P 0x22 131072 8192" -c "aio_read 65024 1024" -c aio_flush "blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/f1.qcow2"
$QEMU_IO -c "aio_write -P 0x22 131072 8192" -c "read 65024 1024" -c "read 131072 512" "blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/f2.qcow2"
