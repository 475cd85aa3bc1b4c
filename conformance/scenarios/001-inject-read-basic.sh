# inject-error basics: a read_aio rule with default errno (5) fails the read that fired it,
# and, because armed rules are sticky and the default iotype covers writes, the later
# write too. Sync failures give exit 1.
cat > "$TEST_DIR/c.ini" <<'INI'
[inject-error]
event = "read_aio"
INI
$QEMU_IO -f raw -c 'write -P 0x11 0 512' blkdebug::"$IMG"
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'read 0 512' -c 'write 0 512' -c 'read -P 0x11 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -f raw -c 'write 0 512' -c 'read -P 0xcd 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
