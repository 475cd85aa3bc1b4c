# config-samples/rmw-race.{ini,io} as shipped, in both documented forms (--image-opts
# and json:): two overlapping unaligned writes with align=4k, the 2nd waits for the 1st.
$QEMU_IO --image-opts "driver=raw,file.driver=blkdebug,file.align=4k,file.config=$SAMPLES/rmw-race.ini,file.image.driver=file,file.image.filename=$IMG" < "$SAMPLES/rmw-race.io"
truncate -s 0 "$IMG"; truncate -s 1M "$IMG"
$QEMU_IO "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"align\":4096,\"config\":\"$SAMPLES/rmw-race.ini\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}" < "$SAMPLES/rmw-race.io"
