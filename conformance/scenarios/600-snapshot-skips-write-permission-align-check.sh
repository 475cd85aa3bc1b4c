# Under -s the image is the backing of QEMU's temporary qcow2 overlay, opened read-only
# (bdrv_backing_options), so no node below the overlay takes WRITE and the write permission's
# check of blkdebug's align ("Image size is not a multiple of request alignment") does not run:
# an image of 196708 bytes (385 sectors, not a multiple of 4 KiB) opens with align=4k under -s
# and reads; without -s it is refused (difftest seed 150000000 session 6255).
# image-size: 196708
$QEMU_IO -s -c 'length' -c 'read -P 0 56832 57856' -c 'write -P 198 103424 1024' -c 'read -P 198 103424 1024' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"4k\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
$QEMU_IO -c 'length' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"4k\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
md5sum < "$IMG"
