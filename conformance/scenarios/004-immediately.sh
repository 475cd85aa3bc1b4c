# immediately: off (default) completes the injected error one main-loop turn later,
# on fails synchronously. Visible as the completion order of two concurrently failing
# aio requests: off = submission order, on = reverse order.
for imm in off on; do
  echo "== immediately=$imm"
  printf '[inject-error]\nevent = "none"\nerrno = "5"\nimmediately = "%s"\n' "$imm" > "$TEST_DIR/c.ini"
  $QEMU_IO -f raw -c 'aio_read 0 512' -c 'aio_write 4096 512' -c 'aio_flush' -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
