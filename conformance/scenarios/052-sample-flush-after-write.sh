# config-samples/flush-after-write.{ini,io} as shipped: the flush after a write fails
# (exit status 1, no message), the flush before any write passes.
$QEMU_IO -f raw -t writeback blkdebug:"$SAMPLES/flush-after-write.ini":"$IMG" < "$SAMPLES/flush-after-write.io"
echo "== the first flush alone passes"
$QEMU_IO -f raw -t writeback -c 'flush' -c 'read 0 512' blkdebug:"$SAMPLES/flush-after-write.ini":"$IMG"
