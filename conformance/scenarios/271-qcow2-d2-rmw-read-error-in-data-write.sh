# difference: D2
# D2 under qcow2 (seed 777 session 18 of the differential tester): blkdebug's align=512 pads the
# data write of a write across two fresh clusters at both ends. The metadata writes before it
# (refcount block, L2 table, L1 entry) and the zeroing of the two clusters fire pwritev_done,
# which arms an iotype=read rule, so both padding reads of the one data write fail. QEMU ignores
# the failure and writes the padded blocks (the write succeeds, its data is in the image); ours
# fails the write and frees the two clusters it allocated (the image maps nothing, leaks nothing).
# image-format: qcow2
# image-size: 2M
# image-options: cluster_size=4096
printf '[inject-error]\nevent = "pwritev_done"\niotype = "read"\n' > "$TEST_DIR/q.conf"
$QEMU_IO --image-opts -c "write -P 0xb5 552424 1024" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/q.conf,file.align=512,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -r -f qcow2 -c map -c "read -P 0xb5 552424 1024" "$IMG"
