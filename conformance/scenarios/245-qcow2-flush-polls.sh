# A flush on raw with nothing written since the last one makes no call and does not poll: it prints
# no aio report (observed-events §4; one that calls fdatasync polls, scenario 541), unless it
# queued behind another request's flush, which finishes (and reports) while it polls.
# On qcow2 the flush first writes its caches back under the metadata lock, and a write in flight
# finishes while the flush polls: its report comes before the flush returns.
# image-format: qcow2
# image-size: 1M
# image-options: cluster_size=4096
cp "$IMG" "$TEST_DIR/base.qcow2"
opts="driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
echo "== writeback: one write in flight"
$QEMU_IO -t writeback --image-opts -c 'aio_write -P 1 88576 512' -c flush -c length -c aio_flush "$opts"
cp "$TEST_DIR/base.qcow2" "$IMG"
echo "== writethrough (the default): the write's own flush queues behind the flush command"
$QEMU_IO --image-opts -c 'aio_write -P 4 88576 512' -c flush -c length -c aio_flush "$opts"
echo "== raw: nothing printed during the flush"
truncate -s 1M "$TEST_DIR/r.raw"
$QEMU_IO -f raw -t writeback -c 'aio_write -P 5 0 512' -c flush -c length "$TEST_DIR/r.raw"
echo "== raw: a flush queued behind a write's own flush polls until that one is done, which reports"
$QEMU_IO -f raw -c 'break pwritev_done A' -c 'aio_write -P 6 0 512' -c 'wait_break A' -c 'resume A' -c flush \
  -c 'alloc 512 8192' -c aio_flush "blkdebug::$TEST_DIR/r.raw"
