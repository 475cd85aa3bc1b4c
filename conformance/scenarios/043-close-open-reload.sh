# Rules and state belong to the node: close + open reloads the config (state back to 1,
# once rules back, armed list empty); open -t chooses the cache mode inside a session.
printf '[inject-error]\nevent = "read_aio"\nonce = "on"\nerrno = "28"\n[set-state]\nevent = "write_aio"\nnew_state = "2"\n[inject-error]\nevent = "write_aio"\nstate = "2"\nerrno = "1"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -c "open -o driver=raw blkdebug:$TEST_DIR/c.ini:$IMG" -c 'read 0 512' -c 'read 0 512' -c 'write 0 512' -c 'write 0 512' \
  -c 'close' -c 'read 0 512' -c "open -t writeback -o driver=raw blkdebug:$TEST_DIR/c.ini:$IMG" -c 'read 0 512' -c 'write 0 512' -c 'write 0 512' \
  -c 'close' -c "open -t unsafe -o driver=raw blkdebug::$IMG" -c 'read 0 512'
