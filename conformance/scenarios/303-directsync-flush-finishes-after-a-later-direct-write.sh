# Under directsync (O_DIRECT, every write flushed), an fdatasync finishes after an O_DIRECT call
# of the same main-loop turn that began after it: the aio write-zeroes' flush (its FUA emulated
# at the raw node) is still running when the synchronous write's data call is done, so the
# write's own FUA flush reads the raw node's write_gen before the zero-write has bumped it
# (bdrv_co_flush reads current_gen before it waits for the active flush), finds it flushed, and
# skips flush_to_disk: its rule (errno 28) is never armed and the write succeeds. Ours ran the
# flush first (every O_DIRECT call and flush in the order they began), so the write's flush saw
# the zero-write's generation, fired flush_to_disk and failed with ENOSPC (difftest seed
# 20261203 session 6809). The two reads first keep QEMU's thread pool warm: without them qemu-io
# gives the other order in about one run in five.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "flush_to_disk"
errno = "28"
immediately = "on"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -t directsync --image-opts -c "read -q 4608 15872" -c "read -q 996864 512" \
  -c "aio_write -z -u 65024 3584" -c "write -P 0xe1 1010176 8192" -c aio_flush -c "read -P 0xe1 1010176 8192" "$O"
md5sum < "$IMG"
