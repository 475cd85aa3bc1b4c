# Repair of an image left dirty (iotest 098's open-time repair): with lazy refcounts the
# refcounts reach the disk only at close, so a crash (abort) leaves the image dirty and its
# refcounts short; the next read-write open checks the image and rebuilds the refcount
# structure, printing QEMU's check lines on stderr; a read-only open leaves it alone.
# image-format: qcow2
# image-size: 1M
# image-options: lazy_refcounts=on,cluster_size=4096
$QEMU_IO -c 'write -P 0x11 0 12k' -c 'write -P 0x12 64k 4k' -c flush -c abort "$IMG" 2>&1 | grep -v 'Aborted'
$QEMU_IO -r -c 'read -P 0x11 0 12k' -c map "$IMG"
$QEMU_IO -c 'read -P 0x11 0 12k' -c 'read -P 0x12 64k 4k' -c map "$IMG"
md5sum < "$IMG"
$QEMU_IO -c 'write -P 0x13 128k 4k' -c close "$IMG"
md5sum < "$IMG"
