# A probed raw image under -s (or open -s): QEMU opens the image read-only, as the backing file of
# its temporary qcow2 overlay, and raw_open warns about probing only for a writable node, so no
# WARNING lines; without -s they come (difftest seed 20300000 sessions 3116, 5097, 8107, 16484).
$QEMU_IO -s -c length -c 'write -P 1 0 512' -c 'read -P 1 0 512' "$IMG"
$QEMU_IO -c "open -s $IMG" -c length
$QEMU_IO -s -c length "blkdebug::$IMG"
$QEMU_IO -c length "$IMG"
