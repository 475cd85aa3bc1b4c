# A request that waited for another (a padded write, serialising over its aligned range, behind an
# overlapping write) runs again only once the request it waited for has finished, aio callback
# included: QEMU's tracked_request_end wakes it with aio_co_wake, which from inside a coroutine
# only queues it until the waker yields or ends. So its "Suspended" line comes after the waker's
# report, whether the waker ends with a rescheduled error (immediately=off), an immediate one,
# or after its write went through. The shell defers the line behind the report it waited for.
img_opts="driver=raw,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=$IMG"
run() {
  $QEMU_IO --image-opts -c 'break pwritev D' -c 'aio_write -P 0xd8 393216 131072' -c 'wait_break D' \
    -c 'resume D' -c 'break pwritev_rmw_tail E' -c 'aio_write -P 0x26 458752 512' -c 'wait_break E' \
    -c 'resume E' -c aio_flush -c 'read -P 0x26 458752 512' "$img_opts$1"
}
echo "== the waker fails in a bottom half (immediately=off)"
run ",file.inject-error.0.event=pwritev,file.inject-error.0.errno=122"
echo "== the waker fails at once (immediately=on)"
run ",file.inject-error.0.event=pwritev,file.inject-error.0.errno=122,file.inject-error.0.immediately=on"
echo "== the waker's write goes through"
run ""
echo "== the waker's write goes through, writethrough"
$QEMU_IO -t writethrough --image-opts -c 'break pwritev D' -c 'aio_write -P 0xd8 393216 131072' -c 'wait_break D' \
  -c 'resume D' -c 'break pwritev_rmw_head E' -c 'aio_write -P 0x26 459264 512' -c 'wait_break E' \
  -c 'resume E' -c aio_flush "$img_opts"
