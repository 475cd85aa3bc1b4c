# json: filename form with "inject-error" and "set-state" arrays, numbers and bools given
# as JSON values or strings, plus a config file (whose rules come first).
printf '[inject-error]\nevent = "write_aio"\nerrno = "30"\nonce = "on"\n' > "$TEST_DIR/c.ini"
json='json:{"driver":"raw","file":{"driver":"blkdebug","config":"'$TEST_DIR'/c.ini",
 "image":{"driver":"file","filename":"'$IMG'"},
 "inject-error":[{"event":"write_aio","errno":28,"state":2},{"event":"read_aio","errno":"1","once":true,"state":"2"}],
 "set-state":[{"event":"write_aio","state":1,"new_state":2}]}}'
$QEMU_IO -t writeback -c 'write 0 512' -c 'read 0 512' -c 'write 0 512' -c 'write 0 512' -c 'read 0 512' -c 'read 0 512' "$json"
