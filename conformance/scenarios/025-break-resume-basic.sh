# break/resume/wait_break basics: a breakpoint suspends the request that fires its event
# (printed at once by blkdebug), wait_break returns because it is already suspended,
# resume prints "Resuming" and the completion is printed when the main loop runs
# (aio_flush). Breakpoints are one-shot; they ignore the state.
$QEMU_IO -f raw -c 'break write_aio A' -c 'aio_write -P 0x11 0 512' -c 'wait_break A' -c 'resume A' \
  -c 'aio_flush' -c 'aio_write -P 0x12 512 512' -c 'aio_flush' -c 'read -P 0x11 0 512' -c 'read -P 0x12 512 512' blkdebug::"$IMG"
echo "== break on read_aio, completion during sleep"
$QEMU_IO -f raw -c 'break read_aio R' -c 'aio_read -P 0x11 0 512' -c 'wait_break R' -c 'resume R' -c 'sleep 200' -c 'length' blkdebug::"$IMG"
