# config-samples/pause-all-io.{ini,io} as shipped: pause_drive/resume_drive with one tag
# on read_aio and write_aio, released by remove_break (one breakpoint still armed).
$QEMU_IO -f raw blkdebug:"$SAMPLES/pause-all-io.ini":"$IMG" < "$SAMPLES/pause-all-io.io"
