# flush with -t writeback: fires flush_to_os always, flush_to_disk (and blkdebug's flush
# check) only if something was written since the last flush. A failing flush prints
# nothing; only the exit status shows it. A flush with nothing written never fails.
for ev in flush_to_os flush_to_disk; do
  printf '[inject-error]\nevent = "%s"\niotype = "flush"\nerrno = "5"\n' "$ev" > "$TEST_DIR/c.ini"
  echo "== $ev: flush without writes"
  $QEMU_IO -f raw -t writeback -c 'flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
  echo "== $ev: write then flush"
  $QEMU_IO -f raw -t writeback -c 'write 0 512' -c 'flush' blkdebug:"$TEST_DIR/c.ini":"$IMG"
  echo "== $ev: write, flush ok?, flush again"
  $QEMU_IO -f raw -t writeback -c 'read 0 512' -c 'write 0 512' -c 'flush' -c 'flush' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
