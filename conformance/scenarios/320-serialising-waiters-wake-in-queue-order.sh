# Three overlapping padded (read-modify-write, so serialising) writes in flight at once, on a
# blkdebug node with align=4096. The second and third both wait for the first; when it ends,
# QEMU's qemu_co_queue_restart_all runs them in queue order, each to its next yield, and a
# waiter clears its waiting_for only when it runs: the second looks first, skips the third
# (still waiting) and goes on; the third then waits for the second. They finish 1, 2, 3 and the
# image holds the third's zeroes over the second's pattern. (Seed 20261203 sessions 6115, 6143,
# 8437, 11066: ours let the third go first and the second then waited for it.)
$QEMU_IO -c "open -o driver=raw,file.align=4096 blkdebug::$TEST_DIR/t.raw" -c "aio_write -z 1024 1024" -c "aio_write -P 32 1024 1024" -c "aio_write -z 512 1024" -c aio_flush -c "read -P 0 512 1024" -c "read -P 32 1536 512"
md5sum < "$IMG"
