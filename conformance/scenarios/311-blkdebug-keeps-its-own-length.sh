# blkdebug's node keeps its own length, as every QEMU node without a variable length does
# (total_sectors): the file's at open, then set by a truncate through it and grown by each write
# through it to that write's end, rounded up to a sector (bdrv_co_write_req_finish). Only raw
# (and file-posix's host devices) ask again. Under O_DIRECT the file node below pads a write to
# the probed alignment (4 KiB on a fresh sparse file) and grows the file to the padding's end;
# blkdebug's length, and raw's answer through it, end at the write's own sector. Here a write in
# flight lands after a truncate shrank the image (difftest seed 20261203 session 7880: '907 KiB'
# in QEMU where the file is 908 KiB long).
truncate -s 1M "$TEST_DIR/p.raw"
$QEMU_IO -t none --image-opts -c "aio_write -P 7 927610 1024" -c "truncate 65537" -c aio_flush -c length \
  -c "read -P 7 927610 1024" -c "read -P 0 928634 134" -c "read -P 0 928768 1" \
  "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
stat -c %s "$IMG"
echo "== without blkdebug raw asks the file node, whose length grew with the padded write"
$QEMU_IO -t none -f raw -c "aio_write -P 7 927610 1024" -c "truncate 65537" -c aio_flush -c length "$TEST_DIR/p.raw"
stat -c %s "$TEST_DIR/p.raw"
