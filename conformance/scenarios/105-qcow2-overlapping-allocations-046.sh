# Concurrent writes to one cluster (iotest 046's first cases, 64 KiB clusters over a backing
# file): A allocates the cluster and is held at write_aio; B and C overlap A's cluster and
# wait for A's allocation; after A's link they write in place. B starting inside A's cluster
# and running into the next one waits, then extends right behind A's cluster.
# image-format: qcow2
# image-size: 8M
$MKQCOW2 "$TEST_DIR/base.qcow2" 8M
$QEMU_IO -f qcow2 -c 'write -P 0x01 0 1M' "$TEST_DIR/base.qcow2" > /dev/null
$MKQCOW2 -b "$TEST_DIR/base.qcow2" -F qcow2 "$TEST_DIR/over.qcow2"
$QEMU_IO -f qcow2 blkdebug::"$TEST_DIR/over.qcow2" <<'CMDS' | sed -e 's/bytes at offset [0-9]*/bytes at offset XXX/'
break write_aio A
aio_write -P 10 0x18000 0x2000
wait_break A
aio_write -P 11 0x12000 0x2000
aio_write -P 12 0x1c000 0x2000
resume A
aio_flush
break write_aio A
aio_write -P 20 0x28000 0x2000
wait_break A
aio_write -P 21 0x2a000 0x10000
resume A
aio_flush
CMDS
$QEMU_IO -r -f qcow2 -c 'read -P 1 0x10000 0x2000' -c 'read -P 11 0x12000 0x2000' -c 'read -P 1 0x14000 0x4000' \
  -c 'read -P 10 0x18000 0x2000' -c 'read -P 1 0x1a000 0x2000' -c 'read -P 12 0x1c000 0x2000' \
  -c 'read -P 20 0x28000 0x2000' -c 'read -P 21 0x2a000 0x10000' -c 'read -P 1 0x3a000 0x6000' -c map \
  "$TEST_DIR/over.qcow2"
