# Events that have no matching inject-error rule leave the armed list unchanged; only an
# event whose inject-error rule matches replaces it. Here pwritev has a rule for an
# unreachable state, so writes do not disarm the read_aio rule; a write_aio rule with
# errno 0 (matching) replaces the list, so the next write passes (the next read re-arms
# its own read_aio rule).
cat > "$TEST_DIR/c.ini" <<'INI'
[inject-error]
event = "read_aio"
errno = "28"
once = "off"

[inject-error]
event = "pwritev"
state = "9"
INI
$QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' -c 'write 0 512' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== an errno=0 rule on write_aio replaces the armed list"
cat >> "$TEST_DIR/c.ini" <<'INI'

[inject-error]
event = "write_aio"
errno = "0"
INI
$QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' -c 'read 4096 512' -c 'write 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
