# difference: Q5
# Q5, the image's bytes (difftest seed 20300000 session 12574): two allocating writes past the
# end of the file under writethrough. The first stops at a breakpoint in its cluster allocation
# while the second waits for qcow2's lock; after the resume both zero their fresh clusters
# (cluster_alloc_space). QEMU's file-posix makes a write-zeroes past the end of the file
# serialising up to the end of all offsets, so the first write's zero-write waits for the
# second's and then for the second's data write; meanwhile the second links its cluster and its
# FUA flush fires flush_to_os, which arms an EIO rule (immediately=off): that flush's refcount
# block write fails, and so does the first write's data write when it comes. Ours does not
# serialise them: the first write's data reaches the file before the rule is armed. Both writes
# fail in both, with the same output and exit status; the first write's 1 KiB lands in a cluster
# past the image's end that neither image maps or counts (qemu-img check finds both clean):
# zeroes in QEMU, its data here.
# image-format: qcow2
# image-size: 4M
printf '[inject-error]\nevent = "flush_to_os"\nerrno = "5"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "aio_write -P 0x54 606106 1024" -c "break cluster_alloc B" \
  -c "aio_write -P 0x54 851968 512" -c "wait_break B" -c "resume B" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
od -A d -t x1 -j 343962 -N 16 "$IMG"
