# Compressed clusters: write -c (whole clusters; what does not shrink is written normally),
# reading them back, overwriting one (a new cluster, the compressed bytes freed), write -c
# over an allocated cluster (EIO), and rules on read_compressed, write_compressed,
# cluster_alloc_bytes and l2_update_compressed. No flush follows a compressed write.
# image-format: qcow2
# image-size: 1M
# image-options: cluster_size=4096
$QEMU_IO -f qcow2 -c 'write -c -P 0x11 0 8k' -c 'write -c -P 0x22 8k 4k' -c 'read -P 0x11 0 8k' -c 'read -P 0x22 8k 4k' \
  -c 'write -c 16k 512' -c 'write -c -P 0x33 8k 4k' -c 'write -P 0x44 2k 1k' -c 'read -P 0x11 0 2k' -c 'read -P 0x44 2k 1k' \
  -c 'read -P 0x11 3k 5k' -c map "$IMG"
$QEMU_IO -r -f qcow2 -c 'read -P 0x22 8k 4k' "$IMG"
args=()
off=64
for ev in read_compressed write_compressed cluster_alloc_bytes l2_update_compressed; do
  printf '[inject-error]\nevent = "%s"\nerrno = "5"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -t writeback -o driver=qcow2 blkdebug:$TEST_DIR/$ev.ini:$IMG" -c "write -c -P 0x55 ${off}k 4k" \
         -c 'read -P 0x22 8k 4k' -c "read -P 0x55 ${off}k 4k" -c close)
  off=$((off + 4))
done
$QEMU_IO "${args[@]}"
$QEMU_IO -r -f qcow2 -c map "$IMG"
