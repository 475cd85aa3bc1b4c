# qcow2 basics: the format found by its magic (no "format was not specified" warning), or
# named with -f qcow2; info, map and alloc over allocated, zero and unallocated clusters;
# writes of partial clusters; discard and write -z; and the image bytes afterwards (md5sum):
# clusters land where QEMU puts them.
# image-format: qcow2
# image-size: 4M
$QEMU_IO -c 'write -P 0x11 0 64k' -c 'write -P 0x22 100k 3k' -c 'write -z 192k 64k' \
  -c 'read -P 0x11 0 64k' -c 'read -P 0x22 100k 3k' -c 'read -P 0 64k 36k' -c 'read -P 0 192k 64k' \
  -c info -c map -c 'alloc 0 64k' -c 'alloc 64k 1M' -c 'alloc 4M' -c length "$IMG"
md5sum < "$IMG"
echo "== -f qcow2 over blkdebug, discard and write -z -u"
$QEMU_IO -f qcow2 -c 'write -P 0x33 1M 512' -c 'discard 0 64k' -c 'write -z -u 64k 64k' -c map \
  -c 'read -P 0 0 128k' -c 'read -P 0x33 1M 512' -c 'discard 1M 512' -c 'read -P 0x33 1M 512' blkdebug::"$IMG"
md5sum < "$IMG"
echo "== read-only"
$QEMU_IO -r -f qcow2 -c 'read -P 0x33 1M 512' -c 'write 0 512' -c map "$IMG"
