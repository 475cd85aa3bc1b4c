# One poll of qemu-io's loop continues the requests whose thread-pool work is done one at a
# time, newest submitted first: of two writes whose pwrite finishes in the same poll, the later
# one reaches a pwritev_done breakpoint first, and the earlier one goes on to its writethrough
# flush, which the later one then queues behind. A request an immediately=off error reschedules
# there finishes only in the next poll (a bottom half), so its report does not come with the
# wait_break that ran it. The shell runs its requests in the same order (lockstep).
img_opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
echo "== no rule: the later write is suspended, the earlier one's flush goes first"
$QEMU_IO --image-opts -c 'aio_write -P 1 851968 4096' -c 'break pwritev_done B' -c 'aio_write -P 2 348160 1024' \
  -c 'wait_break B' -c length -c 'resume B' -c aio_flush "$img_opts"
echo "== a failed flush (immediately=off): reported in a later poll"
$QEMU_IO --image-opts -c 'aio_write -P 3 851968 4096' -c 'break pwritev_done B' -c 'aio_write -P 4 348160 1024' \
  -c 'wait_break B' -c length -c 'resume B' -c aio_flush \
  "$img_opts,file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=122"
echo "== a failed flush (immediately=on): reported in the poll that ran it"
$QEMU_IO --image-opts -c 'aio_write -P 5 851968 4096' -c 'break pwritev_done B' -c 'aio_write -P 6 348160 1024' \
  -c 'wait_break B' -c length -c 'resume B' -c aio_flush \
  "$img_opts,file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=122,file.inject-error.0.immediately=on"
echo "== an error armed at pwritev_done by the suspended write fails the other's flush a poll later"
$QEMU_IO --image-opts -c 'aio_write -P 7 851968 4096' -c 'break pwritev_done B' -c 'aio_write -P 8 348160 1024' \
  -c 'wait_break B' -c length -c 'resume B' -c aio_flush \
  "$img_opts,file.inject-error.0.event=pwritev_done,file.inject-error.0.errno=122"
