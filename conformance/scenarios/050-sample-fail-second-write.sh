# config-samples/fail-second-write.{ini,io} as shipped (stdin replay, -t writeback):
# the 1st write passes, the 2nd fails with EIO, the armed rule fails the read after it.
$QEMU_IO -f raw -t writeback blkdebug:"$SAMPLES/fail-second-write.ini":"$IMG" < "$SAMPLES/fail-second-write.io"
$QEMU_IO -f raw -c 'read -P 0x11 0 512' -c 'read -P 0 512 512' "$IMG"
