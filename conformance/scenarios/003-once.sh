# once=on: the rule fails one request and is then deleted for good; later firings of
# its event do not re-arm it. once=off keeps failing.
printf '[inject-error]\nevent = "read_aio"\nonce = "on"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'read 0 512' -c 'read 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
printf '[inject-error]\nevent = "read_aio"\nonce = "off"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'read 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== once rule used up by a write (armed by none), then reads succeed"
printf '[inject-error]\nevent = "none"\nonce = "on"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'write 0 512' -c 'write 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
