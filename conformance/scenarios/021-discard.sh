# discard: checked as iotype discard; it fires no event of its own, so a rule armed by
# none catches it. A sector rule matches by its first byte (65537 misses sector 128).
# An injected ENOTSUP (95) is swallowed: discard treats "not supported" as success.
for e in 28 95; do
  echo "== errno $e, sector 128"
  printf '[inject-error]\nevent = "none"\niotype = "discard"\nerrno = "%s"\nsector = "128"\n' $e > "$TEST_DIR/c.ini"
  $QEMU_IO -f raw -c 'discard 0 64k' -c 'discard 64k 64k' -c 'discard -q 60k 8k' -c 'discard -C 128k 4k' \
    -c 'discard 65537 4k' -c 'discard -q 192k 4k' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
echo "== discard of the whole image; length unchanged"
$QEMU_IO -f raw -c 'discard 0 1M' -c 'length' blkdebug::"$IMG"
