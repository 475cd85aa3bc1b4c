# Errors are decided when the request is checked, not when its event fired: a write
# suspended between write_aio (which arms ENOSPC) and pwritev is checked against the list
# that an intervening read installed (EPERM once, used up by that read), so it succeeds;
# a pwritev_done rule arms after the
# data is written, so it hits the next request.
cat > "$TEST_DIR/c.ini" <<'INI'
[inject-error]
event = "write_aio"
errno = "28"
iotype = "write"

[inject-error]
event = "read_aio"
errno = "1"
once = "on"
INI
$QEMU_IO -f raw -t writeback -c 'break pwritev A' -c 'aio_write -P 0x51 0 512' -c 'wait_break A' -c 'read 4k 512' -c 'resume A' \
  -c 'aio_flush' -c 'read -P 0 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== pwritev_done rule affects the next request"
printf '[inject-error]\nevent = "pwritev_done"\nerrno = "5"\nonce = "on"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -t writeback -c 'write -P 0x52 0 512' -c 'read -P 0x52 0 512' -c 'read -P 0x52 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
