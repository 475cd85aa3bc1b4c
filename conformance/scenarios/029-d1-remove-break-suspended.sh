# difference: D1
# remove_break on a tag whose request is suspended but whose breakpoint is already used:
# QEMU 7.2 resumes the request and still reports "Could not remove breakpoint A: No such
# file or directory" (exit 1); ours resumes it and succeeds silently (exit 0).
$QEMU_IO -f raw -c 'break write_aio A' -c 'aio_write -P 0x31 0 512' -c 'wait_break A' -c 'remove_break A' \
  -c 'aio_flush' -c 'read -P 0x31 0 512' blkdebug::"$IMG"
