# Cache modes and the flush events: unsafe never fires flush_to_disk (flushes ignored),
# none/directsync behave like writeback/writethrough for blkdebug's flush rules.
printf '[inject-error]\nevent = "flush_to_disk"\niotype = "flush"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
for t in unsafe writeback writethrough none directsync; do
  echo "== -t $t (flush_to_disk rule)"
  $QEMU_IO -f raw -t $t -c 'write 0 4k' -c 'write 4k 4k' -c 'flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
printf '[inject-error]\nevent = "flush_to_os"\niotype = "flush"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
for t in unsafe writeback writethrough none directsync; do
  echo "== -t $t (flush_to_os rule)"
  $QEMU_IO -f raw -t $t -c 'write 0 4k' -c 'flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
