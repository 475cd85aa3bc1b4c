# Backing files: reads of unallocated clusters go to the backing file (read_backing_aio),
# a partial-cluster write copies the rest of the cluster from it (cow_read, read_backing_aio,
# then write_aio and cow_write around one merged write); rules on those events; map and alloc
# see only the overlay, reads see both.
# image-format: qcow2
# image-size: 1M
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/base.qcow2" 1M
$QEMU_IO -f qcow2 -c 'write -P 0x01 0 1M' "$TEST_DIR/base.qcow2" | tail -n 2
$MKQCOW2 -o cluster_size=4096 -b base.qcow2 -F qcow2 "$TEST_DIR/over.qcow2"
$QEMU_IO -f qcow2 -c 'write -P 0x02 1k 1k' -c 'write -P 0x03 8k 4k' -c 'read -P 0x01 0 1k' -c 'read -P 0x02 1k 1k' \
  -c 'read -P 0x01 2k 6k' -c 'read -P 0x03 8k 4k' -c 'read -P 0x01 12k 1012k' -c map -c 'alloc 0 16k' "$TEST_DIR/over.qcow2"
args=()
off=16
for ev in cow_read read_backing_aio cow_write write_aio; do
  printf '[inject-error]\nevent = "%s"\nerrno = "5"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -t writeback -o driver=qcow2 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/over.qcow2" \
         -c "write -P 0x04 $((off + 1))k 1k" -c "read -P 0x01 ${off}k 1k" -c "read -P 0x01 $((off + 2))k 1k" -c close)
  off=$((off + 4))
done
$QEMU_IO "${args[@]}"
echo "== break cow_read: a second write to the cluster waits"
$QEMU_IO -t writeback -f qcow2 blkdebug::"$TEST_DIR/over.qcow2" <<'CMDS'
break cow_read A
aio_write -q -P 0x05 33k 1k
wait_break A
aio_write -P 0x06 35k 1k
sleep 100
resume A
aio_flush
read -P 0x01 32k 1k
read -P 0x05 33k 1k
read -P 0x01 34k 1k
read -P 0x06 35k 1k
CMDS
md5sum < "$TEST_DIR/over.qcow2"
