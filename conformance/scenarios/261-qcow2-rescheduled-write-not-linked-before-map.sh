# image-format: qcow2
# image-size: 4M
# An immediately=off rule with a negative errno reschedules each request it meets and lets it
# "succeed" without I/O (QEMU's rule_check returns -errno). An allocating aio_write meets it at
# its copy-on-write zeroes and its data write; in QEMU it goes on only when the main loop runs,
# so a `map` right after it (which does not poll: its block status needs no I/O) does not see
# its clusters yet, and one after aio_flush does (difftest seed 50001 session 288).
printf '[inject-error]\nevent = "pwritev"\nerrno = "-5"\nonce = "off"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO -c "open -o driver=qcow2 blkdebug:$TEST_DIR/rules.conf:$IMG" -c "write -P 0xde 4608 3584" \
  -c "aio_write 1021440 65536" -c map -c aio_flush -c map
