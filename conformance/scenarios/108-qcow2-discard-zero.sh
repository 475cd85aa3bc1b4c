# Zero clusters and discard: write -z (the zero flag, the cluster kept), write -z -u (the
# cluster released), discard (released, reads as zeroes in a v3 image), partial clusters
# (zeroes written as data, or ignored for discard), and rules on cluster_free and on the
# L2 table a discard must first allocate.
# image-format: qcow2
# image-size: 2M
# image-options: cluster_size=4096
$QEMU_IO -f qcow2 -c 'write -P 0x11 0 64k' -c 'write -z 4k 4k' -c 'write -z -u 8k 4k' -c 'discard 12k 4k' \
  -c 'write -z 17k 2k' -c 'discard 21k 2k' -c 'write -z 1M 64k' -c map -c 'read -P 0x11 0 4k' -c 'read -P 0 4k 12k' \
  -c 'read -P 0x11 16k 1k' -c 'read -P 0 17k 2k' -c 'read -P 0x11 19k 13k' "$IMG"
md5sum < "$IMG"
for ev in cluster_free l2_alloc_write; do
  printf '[inject-error]\nevent = "%s"\nerrno = "28"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  echo "== $ev"
  $QEMU_IO -t writeback -f qcow2 -c 'discard 32k 8k' -c 'write -z -u 40k 4k' -c 'discard 1536k 64k' -c flush \
    -c map blkdebug:"$TEST_DIR/$ev.ini":"$IMG"
done
md5sum < "$IMG"
