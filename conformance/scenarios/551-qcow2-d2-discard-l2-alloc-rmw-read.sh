# difference: D2
# D2 in a qcow2 discard (difftest seed 100000000 session 6551, there under align=65536): a discard
# over clusters with no L2 table allocates one (qcow2_cluster_discard -> discard_in_l2_slice ->
# get_cluster_table -> l2_allocate), which writes the refcount block (at 0x2000), the L2 table
# (0x4000) and the L1 entry (0x3000, 4 KiB), each padded to align=8192. The refcount block's write
# has a tail to read (the L1 table), which fires pwritev_rmw_tail, and the once rule there fails
# that read. QEMU ignores it (bdrv_padding_rmw_read's result is dropped in bdrv_co_pwritev_part)
# and writes the block with its padding buffer's bytes over the L1 table (zeroes here:
# MALLOC_PERTURB_=255 fills fresh memory with zeroes, so the image does not depend on the heap);
# the L2 table's write goes through, and the L1 entry's (L1_UPDATE) arms the sticky l1_update
# rule for sector 24, whose EIO fails the entry's padding read and write: the discard fails with
# EIO (first run), or without that rule is done (second run). l2_allocate's fail path frees the
# L2 cluster, and at close the dirty refcount block's write meets the still armed l1_update rule
# (QEMU's first image leaks the L2 cluster: qemu-img check). Ours fails the refcount block's write
# with the read's EPERM, so the discard fails there, l1_update never fires and the close goes
# through: both images clean and unchanged (hand-written .blkdebug.check).
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 4194304
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_rmw_tail"
errno = "1"
once = "on"
RULES
MALLOC_PERTURB_=255 $QEMU_IO -c "open -o driver=qcow2,file.align=8192,file.inject-error.0.event=l1_update,file.inject-error.0.errno=5,file.inject-error.0.sector=24 blkdebug:$TEST_DIR/rules.conf:$IMG" \
  -c "discard 4096 24064"
$QEMU_IO -r -f qcow2 -c map "$IMG"
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/u.qcow2" 4M > /dev/null
MALLOC_PERTURB_=255 $QEMU_IO -c "open -o driver=qcow2,file.align=8192 blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/u.qcow2" -c "discard 4096 24064"
$QEMU_IO -r -f qcow2 -c map "$TEST_DIR/u.qcow2"
md5sum < "$IMG"
md5sum < "$TEST_DIR/u.qcow2"
