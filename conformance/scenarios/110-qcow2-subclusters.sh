# Extended L2 entries (32 subclusters per cluster): writes of single subclusters allocate the
# cluster but mark only what was written, with no COW of the rest; write -z of subclusters;
# a breakpoint on the write of one subcluster of a fresh cluster makes writes to other
# subclusters of it wait until that cluster is allocated (iotest 271's concurrent case).
# image-format: qcow2
# image-size: 1M
# image-options: extended_l2=on
$QEMU_IO -f qcow2 -c 'write -P 0x11 0 2k' -c 'write -P 0x12 5k 512' -c 'write -z 8k 4k' -c 'write -z 64k 64k' \
  -c map -c 'alloc 0 64k' -c 'read -P 0x11 0 2k' -c 'read -P 0 2k 2k' -c 'read -P 0x12 5k 512' "$IMG"
md5sum < "$IMG"
$QEMU_IO -f qcow2 blkdebug::"$IMG" <<'CMDS' | sed -e 's/\(86016\|106496\)/OFFSET/'
break write_aio A
aio_write -P 10 94k 2k
wait_break A
aio_write -P 11 84k 2k
aio_write -P 12 104k 2k
resume A
aio_flush
CMDS
$QEMU_IO -r -f qcow2 -c 'read -P 10 94k 2k' -c 'read -P 11 84k 2k' -c 'read -P 12 104k 2k' "$IMG"
