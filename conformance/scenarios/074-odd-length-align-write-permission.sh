# A writer without 'resize' needs an image size that is a multiple of blkdebug's align; the size
# QEMU checks is the node's whole sectors (total_sectors * 512), not the file's bytes: 1048575
# bytes pass with align 512 and 4096, 1000000 bytes (1000448 in sectors) pass with 512 and 1024
# but not with 4096; read-only opens are not checked.
# image-size: 1048575
for a in 512 4096; do
  $QEMU_IO -c 'length' -c 'read -P 0 1048064 511' \
    "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"$a\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
done
truncate -s 1000000 "$IMG"
for a in 512 1024 4096; do
  $QEMU_IO --image-opts -c 'length' \
    "driver=raw,file.driver=blkdebug,file.align=$a,file.image.driver=file,file.image.filename=$IMG"
done
$QEMU_IO -r --image-opts -c 'length' \
  "driver=raw,file.driver=blkdebug,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
stat -c 'size %s' "$IMG"
