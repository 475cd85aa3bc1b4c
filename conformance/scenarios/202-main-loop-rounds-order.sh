# Found by the differential tester (docs/difftest.md): where qemu-io's main loop prints what
# requests do, modelled as rounds of QEMU's thread pool (the shell's CompletionPrinter).
# - wait_break first runs the bottom halves already scheduled (a request that failed at
#   once), then the thread pool's completion that brings the request to its breakpoint.
# - Under writethrough a write needs two trips through the thread pool (its pwrite, then the
#   flush), so a read submitted before it reports first.
# - A synchronous write that fails without I/O does not poll: earlier aio reports wait.
# - A request failed by an immediately=off rule is rescheduled by a bottom half scheduled
#   after the one of an earlier request that failed at once: newest first.
# - A synchronous read polls until it is done: a read resumed before it reports first.
echo "== a failed request's bottom half before the breakpoint's completion"
$QEMU_IO -f raw -t writeback -c 'break pwritev_done A' -c 'aio_write -P 1 0 512' -c 'wait_break A' \
  -c 'aio_write 2M 512' -c 'break pwritev_done B' -c 'aio_write -P 2 4k 512' -c 'wait_break B' \
  -c 'resume B' -c 'resume A' -c aio_flush "blkdebug::$IMG"
echo "== writethrough: a write's flush is a second round"
$QEMU_IO -f raw -c 'write 0 512' -c 'aio_read 64k 4k' -c 'aio_write -P 1 4k 512' -c aio_flush "blkdebug::$IMG"
echo "== a synchronous write that fails at once does not poll"
$QEMU_IO -f raw -c 'write 0 512' -c 'aio_write -P 1 0 512' -c 'write 2M 512' -c aio_flush "blkdebug::$IMG"
echo "== immediately=off reschedules after an earlier bottom half"
printf '[inject-error]\nevent = "write_aio"\nerrno = "28"\nimmediately = "off"\n' > "$TEST_DIR/r.conf"
$QEMU_IO -f raw -c 'aio_read 2M 512' -c 'aio_write 0 512' -c aio_flush "blkdebug:$TEST_DIR/r.conf:$IMG"
echo "== a synchronous read polls until it is done"
$QEMU_IO -f raw -c 'break read_aio A' -c 'aio_read 0 4k' -c 'wait_break A' -c 'resume A' -c flush \
  -c 'read 8k 4k' -c aio_flush "blkdebug::$IMG"
