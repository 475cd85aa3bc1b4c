# set-state recipe "fail the 2nd write": set-state write_aio 1->2 plus inject-error
# write_aio state=2. The set-state and the inject rule on the same event both see the
# state at event start, so the 1st write passes and the 2nd fails; the failed write
# leaves the image unchanged. Cache mode writeback keeps flushes out of the way.
cat > "$TEST_DIR/c.ini" <<'INI'
[set-state]
event = "write_aio"
state = "1"
new_state = "2"

[inject-error]
event = "write_aio"
state = "2"
errno = "28"
INI
$QEMU_IO -f raw -t writeback -c 'write -P 1 0 512' -c 'write -P 2 512 512' -c 'write -P 3 1024 512' \
  -c 'read -P 1 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read -P 1 0 512' -c 'read -P 0 512 1024' blkdebug::"$IMG"
