# sector matching: a rule with sector=8 (byte 4096) matches a request only if byte 4096
# lies in [offset, offset+bytes); the first-byte rule means read 4100 100 does not match.
printf '[inject-error]\nevent = "none"\nsector = "8"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'read 4096 512' -c 'read 4100 100' -c 'read 3584 600' -c 'read 3584 512' \
  -c 'read 0 4096' -c 'read 0 4097' -c 'read 4095 1' -c 'read 4096 1' -c 'write 4000 200' \
  -c 'write 8192 512' -c 'flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== sector -1 = any, -2 never matches, hex and octal numbers"
for s in -1 -2 0x8 010 +8; do
  printf '[inject-error]\nevent = "none"\nsector = "%s"\n' "$s" > "$TEST_DIR/c.ini"
  echo "-- sector $s"
  $QEMU_IO -f raw -c 'read 0 512' -c 'read 4096 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
