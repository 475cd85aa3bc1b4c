# Requests restarted by the end of one they waited for take their turns one at a time, in queue
# order, each once the one before it yields (QEMU's qemu_co_queue_restart_all; a waiter clears its
# waiting_for only when it runs). Three qcow2 writes to fresh clusters all zero them with a
# no-fallback write-zeroes that grows the file (handle_alloc_space): past the end of the file
# file-posix makes each serialising to the end of all offsets (raw_do_pwrite_zeroes), so the second
# and third wait for the first. When it ends the second goes on first, becomes serialising and
# skips the third (still waiting: bdrv_find_conflicting_request), and the third then waits for the
# second. Before, both were let go at once and the second, serialising after the third had cleared
# its waiting_for, waited for the third: the sync write's failure came before the second
# aio_write's (difftest seed 120000000 session 1181).
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 2097152
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
errno = "1"
iotype = "write"
RULES
$QEMU_IO -f qcow2 -c "aio_write -P 148 447488 1024" -c "aio_write -P 187 4608 4096" -c "write -P 43 1024 100" "blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/t.qcow2"
