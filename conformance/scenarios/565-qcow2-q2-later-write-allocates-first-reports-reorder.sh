# difference: Q2
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 1M
# A qcow2 aio_write of 128 KiB over a fresh cluster (guest 0), an allocated one (guest 1) and
# fresh ones (guest 2..31): three pieces. The first piece stops at its pwritev_done (A); after the
# resume a 64 KiB aio_write at guest 0x30000 stops at its own (B). QEMU mapped all three pieces
# before the first command returned (each a task of qcow2_co_pwritev_part that runs until its first
# I/O), so guest 2..31 took host 0x7000.. and B the clusters after them (0x25000); ours maps the
# third piece only after the second piece's I/O, so B takes host 0x7000.. and guest 2..31 the
# clusters after B's (0x17000). The host offsets decide the order of the two reports:
# - with file.align=65536 every data write is padded and serialising (bdrv_pad_request,
#   bdrv_make_request_serialising in bdrv_co_pwritev_part, block/io.c). QEMU's B overlaps only
#   the third piece, which waits for the first and so is skipped (bdrv_find_conflicting_request
#   skips a request whose waiting_for is set): B finishes first. Ours' B overlaps the second
#   piece and waits; the third piece, begun while B still counts as waiting, goes ahead of it:
#   A finishes first.
# - without align QEMU's three pieces were in flight before B began and A finishes first; ours'
#   third piece starts after B: B finishes first.
# QEMU: 25 of 25 runs and 20 of 20 runs the same. Same lines, exit status, guest data and number
# of clusters; the L2 entries of guest 2 and 48 and the order of the two reports differ.
# difftest seed 110000000 session 11093.
# Run with file.align=65536 on $IMG, then without align on a second image.
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/u.qcow2" 1M >/dev/null
for node in "file.align=65536,file.image.driver=file,file.image.filename=$IMG" \
    "file.image.driver=file,file.image.filename=$TEST_DIR/u.qcow2"; do
  $QEMU_IO --image-opts -c "write -q -P 1 4096 4096" \
      -c "break pwritev_done A" \
      -c "aio_write -P 104 0 131072" \
      -c "wait_break A" \
      -c "resume A" \
      -c "break pwritev_done B" \
      -c "aio_write -P 16 196608 65536" \
      -c "wait_break B" \
      -c "resume B" \
      -c "aio_flush" \
      -c "read -q -P 104 0 131072" \
      -c "read -q -P 16 196608 65536" \
      "driver=qcow2,file.driver=blkdebug,$node"
  # The L2 entries of guest clusters 0 to 2 and 48 (the L2 table is host cluster 4)
  img=${node##*filename=}
  od -A d -t x1 -j 16384 -N 24 "$img"
  od -A d -t x1 -j 16768 -N 8 "$img"
done
