# A request in flight moves on only when qemu-io polls its main loop (its thread-pool work is
# done, its coroutine waits for the poll): a breakpoint or rule armed by a later command meets
# it there. The shell runs its requests in lockstep with those polls (docs/qemu-7.2-observed-events.md §4).
echo "== writeback: a breakpoint set after submission catches the write at pwritev_done"
$QEMU_IO -f raw -t writeback -c 'aio_write -P 1 0 512' -c 'break pwritev_done A' -c 'wait_break A' \
  -c 'resume A' -c aio_flush "blkdebug::$IMG"
echo "== writethrough: a breakpoint set after submission catches the write's flush"
$QEMU_IO -f raw -c 'aio_write -P 2 0 512' -c 'break flush_to_os B' -c 'wait_break B' -c 'resume B' \
  -c aio_flush "blkdebug::$IMG"
echo "== writethrough: a rule armed by a later read fails the in-flight write's flush"
cat > "$TEST_DIR/r.conf" <<'CONF'
[inject-error]
event = "read_aio"
iotype = "flush"
errno = "5"
CONF
$QEMU_IO -f raw -c 'aio_write -P 3 0 512' -c 'read -q 4k 512' -c aio_flush "blkdebug:$TEST_DIR/r.conf:$IMG"
echo "== writethrough: a set-state by a later read decides the in-flight write's flush"
cat > "$TEST_DIR/s.conf" <<'CONF'
[set-state]
event = "read_aio"
state = "1"
new_state = "2"

[inject-error]
event = "flush_to_os"
state = "2"
iotype = "flush"
errno = "28"
CONF
$QEMU_IO -f raw -c 'aio_write -P 3 0 512' -c 'aio_read -q 4k 512' -c aio_flush "blkdebug:$TEST_DIR/s.conf:$IMG"
