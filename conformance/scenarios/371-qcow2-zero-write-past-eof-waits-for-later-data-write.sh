# Two allocating writes past the end of the file under writethrough (difftest seed 20300000
# session 12574). The first stops at a breakpoint in its cluster allocation while the second
# waits for qcow2's lock; after the resume both zero their fresh clusters (cluster_alloc_space),
# the second's (host 0x60000) first. QEMU's file-posix makes a write-zeroes past the end of the
# file serialising up to the end of all offsets, so the first write's zero-write (0x50000) waits
# for the second's; woken when that ends, it runs only once the second yields, by which time the
# second's data write is in flight, and waits for that too (the node's length grows only as a
# write finishes, so 0x50000 is still past the end). Meanwhile the second's FUA flush fires
# flush_to_os, which arms an EIO rule (immediately=off): that flush's refcount block write fails,
# and so does the first write's data write when it comes. Both writes fail, and the first
# write's 1 KiB never lands (zeroes at host 343962). Without the serialisation its data reached
# the file before the rule was armed.
# image-format: qcow2
# image-size: 4M
printf '[inject-error]\nevent = "flush_to_os"\nerrno = "5"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "aio_write -P 0x54 606106 1024" -c "break cluster_alloc B" \
  -c "aio_write -P 0x54 851968 512" -c "wait_break B" -c "resume B" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
od -A d -t x1 -j 343962 -N 16 "$IMG"
