# difference: D15
# -s: qemu-io 7.2 puts a temporary qcow2 overlay on top of the whole opened graph, so `info`
# describes that qcow2 node (ours too), and a partial write to a cluster the overlay lacks first reads the
# rest of the cluster from the image below it: through blkdebug, where a read rule fails the
# write. Ours keeps the overlay in memory below blkdebug: rules see the session's own requests
# only. Both read their own writes and leave the image
# file as it was.
printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -s -f raw -c 'info' -c 'write -P 1 1024 512' -c 'read -P 1 1024 512' "blkdebug:$TEST_DIR/c.ini:$IMG"
$QEMU_IO -s -f raw -c 'write -P 1 0 64k' -c 'read -P 1 0 64k' -c 'length' "$IMG"
$QEMU_IO -r -f raw -c 'read -P 0 0 1M' "$IMG"
echo "== -s: QEMU's breakpoint commands look for blkdebug down the overlay's file child and fail; ours reach it"
$QEMU_IO -s -f raw -c 'break write_aio A' -c 'aio_write -P 7 0 512' -c 'resume A' -c 'remove_break A' -c aio_flush \
  "blkdebug::$IMG"
