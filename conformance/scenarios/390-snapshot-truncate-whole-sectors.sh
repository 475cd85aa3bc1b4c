# Under -s a truncate goes to QEMU's temporary qcow2 overlay, whose qcow2_co_truncate refuses a
# length that is not whole sectors ("The new size must be a multiple of 512", EINVAL) before
# anything reaches the image below; whole-sector lengths shrink and grow the overlay, and the
# grown part reads as zeroes (difftest seed 31000000 session 2693).
# image-size: 1000000
$QEMU_IO -s -f raw -c 'truncate 65537' -c length -c 'truncate 65536' -c length -c 'truncate 131072' -c length -c 'read -P 0 65536 65536' -c 'write -P 7 1000 512' -c 'read -P 7 1000 512' "blkdebug::$IMG"
$QEMU_IO -f raw -c 'open -s -o driver=raw blkdebug::'"$IMG" -c 'truncate 1000001' -c length
md5sum < "$IMG"
