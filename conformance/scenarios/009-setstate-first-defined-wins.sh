# Two set-state rules matching in one event: the first one defined wins, and one event
# makes at most one step (1->2 and 2->3 on the same event do not chain to 3).
cat > "$TEST_DIR/c.ini" <<'INI'
[set-state]
event = "read_aio"
state = "1"
new_state = "2"

[set-state]
event = "read_aio"
state = "1"
new_state = "3"

[set-state]
event = "read_aio"
state = "2"
new_state = "3"

[inject-error]
event = "write_aio"
state = "2"
errno = "1"

[inject-error]
event = "write_aio"
state = "3"
errno = "13"
INI
echo "== one read: state 2 (not 3)"
$QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== two reads: state 3"
$QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'read 0 512' -c 'write 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
