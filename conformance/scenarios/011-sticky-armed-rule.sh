# Armed rules are sticky: a rule armed in state 1 stays active after the state moved to
# 2 (a state change does not disarm it), and it catches later requests of any default
# iotype whatever event they fire.
cat > "$TEST_DIR/c.ini" <<'INI'
[inject-error]
event = "read_aio"
state = "1"
errno = "5"

[set-state]
event = "write_aio"
state = "1"
new_state = "2"

[inject-error]
event = "write_aio"
state = "5"
errno = "28"
INI
$QEMU_IO -f raw -t writeback -c 'write 0 512' -c 'read 0 512' -c 'write 0 512' -c 'discard 0 64k' \
  -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== armed before the state change: survives it"
$QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' -c 'read 0 512' -c 'write -z 0 4k' blkdebug:"$TEST_DIR/c.ini":"$IMG"
