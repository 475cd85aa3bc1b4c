# Two aio_writes whose pwrites finish in the same poll continue newest first, whatever qemu-io
# printed between their submissions: a command's line is a system call of microseconds, no longer
# than the first pwrite (with its worker thread's start), so both are done when the thread pool's
# completion bottom half runs, and that lists its work newest first. The later write meets the
# pwritev_done breakpoint; the earlier one goes on to its writethrough flush and reports first.
# (The shell once took any output between two submissions, a stdin prompt too, as time in which
# the earlier call finished first, so the earlier write met the breakpoint: difftest seed 90000000
# session 10830, stdin, an aio_write and a read past the end before two pwritev_done breakpoints,
# ended in an order no qemu-io run printed. qemu-io by hand: 59 of 60 runs as here; a `read` past
# the end between them, 19 of 20.)
img_opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO --image-opts -c 'break pwritev_done A' -c 'aio_write -P 3 131072 4096' -c length \
  -c 'aio_write -P 4 196608 1024' -c 'wait_break A' -c 'resume A' -c aio_flush "$img_opts"
md5sum < "$IMG"
