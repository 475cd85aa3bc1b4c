# config-samples/enospc-once-sector.{ini,io} as shipped: ENOSPC once on the first write
# covering sector 16's first byte; the failed write leaves the bytes unchanged.
$QEMU_IO -f raw blkdebug:"$SAMPLES/enospc-once-sector.ini":"$IMG" < "$SAMPLES/enospc-once-sector.io"
