# align option values: not a power of two, >= INT_MAX, unparsable (three-line message),
# larger than the image allows for writing; accepted values 0 (default), 1, 512, 4k, 64k.
opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
for a in 3 3000 1.5k 4097 2147483648 abc -1 '' 2M 0 1 512 4k 64k; do
  echo "-- align '$a'"
  $QEMU_IO --image-opts -c 'write 1000 100' -c 'read 0 512' "$opts,file.align=$a"
done
echo "== json numbers and strings"
$QEMU_IO -c 'read 0 512' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"4k\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
$QEMU_IO -c 'read 0 512' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":3,\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
