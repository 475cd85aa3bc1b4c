# iotype: one request type per rule. Default = read|write|write-zeroes|discard|flush,
# so block-status (map/alloc) is excluded unless asked for. truncate/length never checked.
for t in read write write-zeroes discard flush block-status default; do
  echo "== iotype $t"
  if [ $t = default ]; then
    printf '[inject-error]\nevent = "none"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
  else
    printf '[inject-error]\nevent = "none"\nerrno = "28"\niotype = "%s"\n' "$t" > "$TEST_DIR/c.ini"
  fi
  $QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' -c 'write -z 0 4k' -c 'discard 0 64k' \
    -c 'flush' -c 'alloc 0 4096' -c 'map' -c 'length' -c 'truncate 1M' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
