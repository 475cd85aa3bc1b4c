# difference: D21
# Two writethrough qcow2 aio_writes in flight together, each allocating a cluster: the first,
# held at the pwritev_done of its L2 allocation's refcount block write and resumed, then runs its
# emulated FUA flush (bdrv_driver_pwritev: qcow2 takes no BDRV_REQ_FUA) while the second zeroes its
# fresh cluster in max-write-zero pieces (fallocate calls) and writes its data. QEMU's first flush
# reads qcow2's write_gen (0) and skips flush_to_disk, writes back the L2 table (after the refcount
# block and an fdatasync it depends on), then flushes blkdebug (two fdatasyncs). Whether the
# second write's own FUA flush begins before those fdatasyncs end decides it (bdrv_co_flush,
# block/io.c): if it does, it reads write_gen before the first write's bdrv_co_write_req_finish
# bumps it, queues behind the active flush, finds flushed_gen == current_gen and skips
# flush_to_disk, so the sticky ENOSPC flush rule that event arms stays unarmed until the final
# aio_flush, whose blkdebug flush has nothing to flush: both writes pass, nothing at close. If the
# fdatasyncs end first, the second flush fires flush_to_disk, its blkdebug flush meets the rule and
# the write fails, and so do qcow2's cache flushes at close.
# Part 1 (max-write-zero=16384, 4 pieces a cluster): the second write is done with its calls
# in time in QEMU and here: both pass. Part 2 (8192, 8 pieces): in QEMU an fdatasync outlasts the
# pieces (99 of 101 runs pass both writes; with 512-byte pieces 9 of 10 runs fail the second);
# the model here finishes an fdatasync in one round like any call, so the first write ends first
# and the second fails (D21, "how long a call takes"). Difftest seed 150000000 session 19139.
# By hand this whole scenario gave the golden in 17 of 20 qemu-io runs on a loaded machine: 2 printed
# ours' part 2, 1 reported part 1's writes in the other order.
# image-format: qcow2
# image-size: 4M
cp "$IMG" "$TEST_DIR/base.qcow2"
for mwz in 16384 8192; do
  echo "== max-write-zero=$mwz"
  cp "$TEST_DIR/base.qcow2" "$TEST_DIR/t$mwz.qcow2"
  $QEMU_IO --image-opts -c "break pwritev_done A" -c "aio_write -P 214 80896 512" -c "wait_break A" -c "resume A" \
    -c "aio_write -P 0x27 960512 512" -c aio_flush \
    "driver=qcow2,file.driver=blkdebug,file.max-transfer=65536,file.max-write-zero=$mwz,file.image.driver=file,file.image.filename=$TEST_DIR/t$mwz.qcow2,file.inject-error.0.event=flush_to_disk,file.inject-error.0.errno=28,file.inject-error.0.iotype=flush"
  md5sum < "$TEST_DIR/t$mwz.qcow2"
done
