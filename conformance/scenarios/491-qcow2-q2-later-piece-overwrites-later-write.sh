# difference: Q2
# image-format: qcow2
# image-options: cluster_size=4096
# A qcow2 aio_write over a fresh cluster (guest 0), an allocated one (guest 1) and fresh ones
# (guest 2-15): three pieces, each a task of qcow2_co_pwritev_part that QEMU starts before the
# command returns, so the in-place piece's data write (guest 1) is in flight at blkdebug when
# the next write comes. That write (1 KiB into guest 1) is unaligned to blkdebug's align=4096:
# bdrv_co_pwritev_part pads it and makes it serialising, and it waits for the piece
# (bdrv_wait_serialising_requests), so it lands last: guest 1 reads 0x54 (30 of 30 runs; without
# align the two race in the thread pool and QEMU's still landed last in 30 of 30). Ours runs the
# pieces one after another: the second piece starts only after the first one's I/O, after the
# 1 KiB write ended, and writes 0xcd over it. Same lines and clusters; other guest data.
# difftest seed 80000000 session 1406.
$QEMU_IO -c "open -o driver=qcow2,file.align=4096 blkdebug::$TEST_DIR/t.qcow2" \
    -c "write -q -P 0x0f 4608 512" \
    -c "aio_write -q 0 65536" \
    -c "write -q -P 0x54 4096 1024" \
    -c "aio_flush" \
    -c "read -P 0x54 4096 1024" \
    -c "read -P 0xcd 0 4096" \
    -c "read -P 0xcd 8192 57344"
