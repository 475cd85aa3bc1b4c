# align=4k (runtime option only): unaligned writes are done read-modify-write; the data
# around them must survive. Checked with read -P over every byte touched.
opts="driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO --image-opts -c 'write -P 0x11 0 16k' -c 'write -P 0x22 512 512' -c 'write -P 0x33 4000 200' \
  -c 'write -P 0x44 8190 4100' -c 'aio_write -P 0x55 16383 1' -c 'aio_flush' -c 'writev -P 0x66 20000 100 100' "$opts"
$QEMU_IO -f raw -c 'read -P 0x11 0 512' -c 'read -P 0x22 512 512' -c 'read -P 0x11 1024 2976' \
  -c 'read -P 0x33 4000 200' -c 'read -P 0x11 4200 3990' -c 'read -P 0x44 8190 4100' \
  -c 'read -P 0x11 12290 4093' -c 'read -P 0x55 16383 1' -c 'read -P 0 16384 3616' \
  -c 'read -P 0x66 20000 200' -c 'read -P 0 20200 12568' "$IMG"
