# errno values and their strerror texts, for read, write, aio_read (reported as
# "readv failed"), aio_write, writev, readv and discard. An unknown errno prints
# "Unknown error N".
for e in 1 4 5 11 13 22 28 30 61 95 122 200; do
  printf '[inject-error]\nevent = "none"\nerrno = "%s"\n' "$e" > "$TEST_DIR/c.ini"
  echo "== errno $e"
  $QEMU_IO -f raw -c 'read 0 512' -c 'write 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
echo "== every command kind, errno 28"
printf '[inject-error]\nevent = "none"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw -c 'readv 0 512 512' -c 'writev 0 512 512' -c 'aio_read 0 512' -c 'aio_flush' \
  -c 'aio_write 0 512' -c 'aio_flush' -c 'discard 0 64k' -c 'write -z 0 4k' blkdebug:"$TEST_DIR/c.ini":"$IMG"
