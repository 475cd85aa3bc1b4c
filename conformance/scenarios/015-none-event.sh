# The none event fires once at open, in state 1: an inject-error rule on none is armed
# from the start; a set-state on none moves the state before any command; break none
# never triggers afterwards.
printf '[inject-error]\nevent = "none"\nerrno = "5"\nonce = "on"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'read 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
cat > "$TEST_DIR/c.ini" <<'INI'
[set-state]
event = "none"
new_state = "7"

[inject-error]
event = "read_aio"
state = "7"
errno = "61"
INI
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== break none is accepted but never hit"
$QEMU_IO -f raw -c 'break none A' -c 'read 0 512' -c 'remove_break A' blkdebug::"$IMG"
