# A set-state and an inject-error rule on the same event both see the old state:
# inject state=1 on read_aio fires on the read that moves the state to 2, and an inject
# rule for state=2 on that same event does not.
cat > "$TEST_DIR/c.ini" <<'INI'
[inject-error]
event = "read_aio"
state = "2"
errno = "28"

[set-state]
event = "read_aio"
state = "1"
new_state = "2"

[inject-error]
event = "read_aio"
state = "1"
errno = "5"
once = "on"
INI
$QEMU_IO -f raw -c 'read 0 512' -c 'read 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
