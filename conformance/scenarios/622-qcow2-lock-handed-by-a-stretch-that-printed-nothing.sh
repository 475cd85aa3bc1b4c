# As scenario 620, where the request that hands qcow2's lock on printed nothing in the stretch
# it did that in (it then waited for the lock in turn): an aio_write resumed at l2_update makes
# twenty backend calls under the lock (O_DIRECT, max-transfer=4096) while an aio_read waits for
# it, then hands it over; an aio_write past the end fails at once, from a bottom half the loop's
# first turn runs. QEMU prints that failure first, then the read, then the resumed write, which
# waited for the read's unlock. Ours started the read's stretch at the exit's poll as if a
# command had set it running and printed the read first (difftest seed 180000000 session 8458;
# 20 of 20 qemu-io runs as the golden). The rule (iotype block-status) never matches a write.
# image-format: qcow2
$QEMU_IO -c "open -t none -o driver=qcow2,file.max-transfer=4096,file.inject-error.0.event=pwritev,file.inject-error.0.errno=22,file.inject-error.0.immediately=off,file.inject-error.0.iotype=block-status blkdebug::$IMG" -c "break l2_update A" -c "aio_write -P 241 917504 512" -c "wait_break A" -c "resume A" -c "aio_read 626176 0 3584" -c "aio_write -q 1048576 1024"
md5sum < "$IMG"
