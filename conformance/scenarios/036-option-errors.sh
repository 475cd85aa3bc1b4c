# Runtime-option (--image-opts / json:) errors: "qemu-io: can't open: ..." for
# --image-opts, "can't open device json:...: ..." for json:. Unused indices (must start
# at 0), unknown rule keys, unknown blkdebug options, missing image, bad values.
opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
for extra in 'file.inject-error.1.event=read_aio' 'file.inject-error.0.bogus=1' 'file.inject-error.0.event=read_aio,file.inject-error.0.bogus=1' \
    'file.bogus=1' 'file.inject-error.0.event=read_aio,file.inject-error.0.errno=x' 'file.inject-error.0.event=bogus' \
    'file.inject-error.0.errno=5' 'file.set-state.0.event=read_aio,file.set-state.0.new_state=x' \
    'file.inject-error.0.event=read_aio,file.inject-error.0.once=maybe' 'file.inject-error.0.event=read_aio,file.inject-error.0.iotype=bogus' \
    'file.inject-error.0.event=read_aio,file.inject-error.0.delay-ns=5' 'file.config=/nonexistent/c.ini'; do
  echo "-- $extra"
  $QEMU_IO --image-opts -c 'read 0 512' "$opts,$extra"
done
echo "-- no image"
$QEMU_IO --image-opts -c 'read 0 512' "driver=raw,file.driver=blkdebug"
echo "-- json with a bad rule"
$QEMU_IO -c 'read 0 512' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"},\"inject-error\":[{\"event\":\"nope\"}]}}"
