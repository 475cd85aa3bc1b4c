# difference: Q2
# image-format: qcow2
# image-size: 4M
# A qcow2 aio_write over an allocated cluster (guest 3, host 0x60000) and a fresh one (guest 4)
# whose new host cluster is not next to 0x60000 (guest 14 took 0x70000): two pieces. The first
# piece stops at its write_aio; QEMU has mapped the second piece (host 0x80000 for guest 4)
# before the command returned, each piece a task that runs until its first I/O
# (qcow2_co_pwritev_part). Ours maps the second piece only after the first piece's I/O, so the
# write to guest 0 issued after the resume takes 0x80000 and guest 4 gets 0x90000. Same output,
# same data and number of clusters (qemu-img compare: identical); the L2 entries differ.
# difftest seed 50000000 session 7784.
$QEMU_IO -c "open -o driver=qcow2 blkdebug::$TEST_DIR/t.qcow2" \
    -c "write -q -P 0x78 131072 131072" \
    -c "write -q -P 0x51 917504 65536" \
    -c "break write_aio B" \
    -c "aio_write -P 0xce 196608 131072" \
    -c "wait_break B" \
    -c "resume B" \
    -c "write -q -P 0xe3 4096 512" \
    -c "aio_flush" \
    -c "read -q -P 0xce 196608 131072" \
    -c "read -q -P 0xe3 4096 512"
# The L2 entries of guest clusters 0 to 4 (the L2 table is host cluster 4 in both)
od -A d -t x1 -j 262144 -N 40 "$IMG"
