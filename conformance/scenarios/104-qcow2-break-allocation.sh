# Breakpoints at allocation: a request suspended on an event fired under qcow2's metadata
# lock (l2_alloc_write, cluster_alloc, refblock_alloc) holds the lock, so a second write to
# another cluster waits for it; released, both complete in order. A request suspended at
# write_aio holds no lock: a write to another cluster goes ahead meanwhile. (The held
# requests are -q: after the resume both finish in either order in QEMU.)
# image-format: qcow2
# image-size: 16M
$QEMU_IO -t writeback -f qcow2 blkdebug::"$IMG" <<'CMDS'
break l2_alloc_write A
aio_write -q -P 0x11 0 4k
wait_break A
aio_write -P 0x22 8M 4k
sleep 100
resume A
aio_flush
break cluster_alloc B
aio_write -q -P 0x33 1M 4k
wait_break B
aio_write -P 0x44 2M 4k
sleep 100
resume B
aio_flush
break write_aio C
aio_write -P 0x55 3M 4k
wait_break C
write -P 0x66 4M 4k
resume C
aio_flush
read -P 0x11 0 4k
read -P 0x22 8M 4k
read -P 0x33 1M 4k
read -P 0x44 2M 4k
read -P 0x55 3M 4k
read -P 0x66 4M 4k
CMDS
md5sum < "$IMG"
