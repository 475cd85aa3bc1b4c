# Two breakpoints on one event suspend the same request twice, newest tag first; it needs
# one resume per suspension and completes after the last one.
$QEMU_IO -f raw -c 'break write_aio A' -c 'break write_aio B' -c 'aio_write -P 0x21 0 512' -c 'wait_break A' \
  -c 'wait_break B' -c 'resume B' -c 'sleep 100' -c 'resume A' -c 'aio_flush' -c 'read -P 0x21 0 512' blkdebug::"$IMG"
