# An allocating qcow2 write asks, before its COW, whether the COW areas read as zeroes
# (handle_alloc_space -> is_zero_cow -> bdrv_co_is_zero_fast): bdrv_co_block_status finds the
# node's length (its driver is there), then qcow2_co_block_status waits for s->lock behind a
# later aio_write. That one (after a pwritev_done rule failed its refcount read) overlaps an
# active L2 table and marks the image corrupt, which drops the node's driver (bs->drv = NULL,
# qcow2_signal_corruption). The first write's query then reads its L2 table and answers
# "unallocated", and bdrv_co_block_status reads bs->drv->supports_backing: qemu-io 7.2 dies of
# SIGSEGV (exit 139) at exit, in the drain (D7; difftest seed 110000000 session 14643, 25 of 25
# runs by hand). Ours answers as if there were no backing file (zeroes), and the next query, of
# the COW end, finds the node without its driver: the write fails with ENOMEDIUM.
# difference: D7
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 2097152
# (2>/dev/null drops the wrapper shell's own "Segmentation fault" line, which names a pid)
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_done"
errno = "-5"
once = "off"
iotype = "read"
RULES
$QEMU_IO -c "open -t writethrough -o driver=qcow2 blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/t.qcow2" -c "write -P 0x26 1024 4096" -c "truncate -m off 2097664" -c "aio_write -C -P 0xf9 351224 1024" -c "aio_write -f -P 0x7c 2097151 512" 2>/dev/null
md5sum < "$IMG"
