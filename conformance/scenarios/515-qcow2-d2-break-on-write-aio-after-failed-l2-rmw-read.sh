# A breakpoint on a qcow2 event that a write reaches only after one of its metadata writes, whose
# padding (RMW) read a rule fails. The write allocates the image's first L2 table; l2_alloc_write
# arms an iotype=read rule, and the L2 table's write-back (4 KiB at 0x4000 under align=8192) reads
# the rest of its 8 KiB block first: the rule fails that read. QEMU 7.2 ignores the failed read
# (bdrv_co_pwritev_part drops bdrv_padding_rmw_read's return value), writes the block anyway and
# goes on: the L1 entry's write fails its read too and puts the padding buffer's unread zeroes over
# the refcount block (qemu-img check: refcount 0 for clusters 0-4), then the data write's write_aio
# holds the write at A; once resumed it fails on the flush_to_os rule its L2 cache flush armed
# (EPERM). Ours ends the write at its first failed read (D2): `aio_write failed` with the read's
# EIO, nothing reaches write_aio, `wait_break` and `resume` fail (exit 1), the image keeps its
# refcounts and leaks the L2 cluster. Difftest seed 90000000 session 11432, shrunk (its set-state
# rule on empty_image_prepare and its `read -q` change nothing: empty_image_prepare fires only in
# qcow2_make_empty); the session had align=65536, where QEMU's first padded write puts zeroes over
# the header and leaves no qcow2 image for qemu-img check.
# difference: D2
# image-format: qcow2
# image-options: cluster_size=4096
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "l2_alloc_write"
state = "1"
iotype = "read"
[inject-error]
event = "flush_to_os"
errno = "1"
RULES
$QEMU_IO --image-opts -c "break write_aio A" -c "aio_write -P 0x40 393216 65536" -c "wait_break A" -c "resume A" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=8192,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
