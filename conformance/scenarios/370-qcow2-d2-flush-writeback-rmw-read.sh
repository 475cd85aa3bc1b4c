# difference: D2
# D2 in a flush of qcow2 (difftest seed 20300000 session 18451): bdrv_co_flush fires flush_to_os
# on blkdebug before qcow2 writes back its metadata caches, so an inject-error rule on flush_to_os
# (immediately=off) is armed for the writeback's first request: the refcount block's 4 KiB write,
# which align=8192 pads to the block that also holds the L1 table, so its padding (RMW) read
# fails. QEMU ignores the failed read and writes the block from its padding buffer, zeroes over
# the L1 table: the flush succeeds (exit 0), the write's mapping is lost and its L2 table and data
# cluster leak (qemu-img check). Ours fails the write, so the flush fails (qemu-io's flush prints
# nothing: exit 1); the once rule is used up and the writeback at close goes through, leaving a
# clean image that maps the data. (The session itself had align=65536 under -t none: there the
# padding buffer's zeroes cover the header too.)
# image-format: qcow2
# image-options: cluster_size=4096
$QEMU_IO -t writeback --image-opts -c "write -P 0xfb 512 512" -c flush -c "read -P 0xfb 512 512" \
  "driver=qcow2,file.driver=blkdebug,file.align=8192,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=28,file.inject-error.0.once=on"
$QEMU_IO -r -f qcow2 -c map "$IMG"
md5sum < "$IMG"
