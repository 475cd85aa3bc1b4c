# image-format: qcow2
# qcow2 over blkdebug: an allocating write's L2 update comes after its data write, which
# finishes in the thread pool; a breakpoint set by a later command catches it there, as in
# qemu-io (the shell's lockstep, docs/qemu-7.2-observed-events.md §4).
$QEMU_IO -f qcow2 -c 'aio_write -P 5 0 4k' -c 'break l2_update A' -c 'wait_break A' -c 'resume A' \
  -c aio_flush -c 'read -P 5 0 4k' "blkdebug::$IMG"
