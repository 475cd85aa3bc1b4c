# Other image layouts: a version 2 image (compat=0.10: no zero flag, so write -z and discard
# deallocate; lazy refcounts refused), and refcount widths of 1, 8 and 64 bits with small
# clusters, where refcount blocks fill up quickly.
# image-format: qcow2
# image-size: 4M
# image-options: compat=0.10
$QEMU_IO -f qcow2 -c 'write -P 0x11 0 128k' -c 'write -z 64k 64k' -c 'discard 0 64k' -c map -c 'read -P 0 0 128k' -c info "$IMG"
md5sum < "$IMG"
for bits in 1 8 64; do
  $MKQCOW2 -o cluster_size=512,refcount_bits=$bits "$TEST_DIR/r$bits.qcow2" 8M
  echo "== refcount_bits=$bits"
  $QEMU_IO -f qcow2 -c 'write -P 0x22 0 1M' -c 'write -P 0x23 4M 1M' -c 'discard 0 512k' -c 'read -P 0x22 512k 512k' \
    -c 'read -P 0x23 4M 1M' "$TEST_DIR/r$bits.qcow2" | grep -v '^[0-9.]* [KM]iB, X ops'
  md5sum < "$TEST_DIR/r$bits.qcow2"
done
