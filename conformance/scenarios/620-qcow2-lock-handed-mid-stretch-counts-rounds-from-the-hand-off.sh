# A request handed qcow2's lock by another in the middle of that one's work starts its own
# backend calls where the unlocker yields (qemu_co_mutex_unlock wakes the waiter with
# aio_co_wake, which from a coroutine runs it as soon as the unlocker yields), so the shell
# prints its report counting its calls from there, not from its submission. Here an aio_write
# resumed at l2_update still writes its L2 table, flushes, writes L1 and flushes (four calls)
# holding the lock while a synchronous write waits for it; it then writes its data and links
# (in memory) before the waiting write, which zeroes and writes 22 clusters, is done: QEMU
# prints the aio_write's report before the write's line. Ours counted the waiting write's three
# calls from its submission and printed its line first (difftest seed 180000000 session 14897;
# 20 of 20 qemu-io runs as the golden, every call under O_DIRECT). The second run: two aio_writes
# writing back (no breakpoint), the FUA one's flush writes the caches under the lock while the
# other waits to link; QEMU prints the other one first (seed 180000000 session 13141, 20 of 20).
# image-format: qcow2
# image-options: cluster_size=4096
echo "== resumed allocation hands the lock to a synchronous write"
$QEMU_IO -t none --image-opts -c "break l2_update A" -c "aio_write -P 0xd5 131072 4096" -c "wait_break A" -c "resume A" -c "write -P 78 0 91648" "driver=qcow2,file.driver=blkdebug,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
echo "== a FUA write's cache flush hands the lock to an earlier write"
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/b.qcow2" 2M > /dev/null
$QEMU_IO -t writeback --image-opts -c "aio_write -f -P 0x28 633344 3584" -c "aio_write -P 0xeb 854016 65536" "driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TEST_DIR/b.qcow2"
md5sum < "$TEST_DIR/b.qcow2"
