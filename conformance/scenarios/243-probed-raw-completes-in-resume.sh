# A request resumed after its I/O (pwritev_done) completes inside `resume`, and qemu-io prints
# its report there, whatever node is on top of blkdebug: a named raw, a probed raw (no -f), or
# no format at all (blkdebug on top). Only qcow2 finishes it from the next poll (scenario 104).
# The same for truncate's poll: a probed raw's ftruncate is one round of the loop.
echo "== probed raw: the report comes with the resume"
$QEMU_IO -c 'break pwritev_done A' -c 'aio_write -P 1 368640 1024' -c 'wait_break A' -c 'resume A' \
  -c length -c aio_flush "blkdebug::$IMG"
echo "== probed raw, writethrough: a failed flush is reported with the resume too"
cat > "$TEST_DIR/r.conf" <<'CONF'
[inject-error]
event = "flush_to_os"
errno = "28"
CONF
$QEMU_IO -t writethrough -c flush -c 'write 4096 512' -c 'break pwritev_done A' -c 'aio_write -z 368640 1024' \
  -c 'wait_break A' -c 'resume A' -c 'break pwritev_zero B' -c 'aio_write -z 391168 512' -c 'resume B' \
  -c aio_flush "blkdebug:$TEST_DIR/r.conf:$IMG"
echo "== blkdebug on top: the report comes with the resume"
$QEMU_IO --image-opts -c 'break pwritev_done A' -c 'aio_write -P 2 368640 1024' -c 'wait_break A' \
  -c 'resume A' -c length -c aio_flush "driver=blkdebug,image.driver=file,image.filename=$IMG"
