# Several requests suspended under one tag: resume wakes the most recently suspended one
# first (LIFO). The sleep between the resumes lets each completion print in turn.
$QEMU_IO -f raw -c 'break write_aio A' -c 'aio_write -P 1 0 512' -c 'wait_break A' \
  -c 'break write_aio A' -c 'aio_write -P 2 4k 512' -c 'break pwritev A' -c 'aio_write -P 3 8k 512' \
  -c 'resume A' -c 'sleep 100' -c 'resume A' -c 'sleep 100' -c 'resume A' -c 'sleep 100' -c 'resume A' \
  -c 'aio_flush' -c 'read -P 1 0 512' -c 'read -P 2 4k 512' -c 'read -P 3 8k 512' blkdebug::"$IMG"
