# More of scenario 620 (a request handed qcow2's lock mid-stretch counts its backend calls from
# the unlocker's yield there). First run (writethrough, max-transfer=4096): an aio_write resumed at
# write_aio, then a shrinking truncate (qcow2 header, refcount table, flushes under the lock)
# that ends the resumed write's wait for the lock, then a 37 KiB aio_write that waits for that
# write's L2 work: QEMU reports the resumed write first (difftest seed 180000000 session 10014,
# 20 of 20 qemu-io runs). Second run (writeback, max-transfer=65536): an aio_write resumed at
# l2_alloc_write and a 117.5 KiB FUA aio_write in two pieces, each waiting in turn for the lock
# the other holds; the FUA write's cache flush hands it back before its flush to disk, and QEMU
# reports the resumed write first (session 16453, 20 of 20). Ours printed both the other way.
# image-format: qcow2
# image-options: cluster_size=4096
: > "$TEST_DIR/rules.conf"
echo "== resumed write, truncate, aio_write"
$QEMU_IO --image-opts -c "break write_aio B" -c "aio_write -P 0x48 403456 512" -c "wait_break B" -c "resume B" -c "truncate 1048064" -c "aio_write -P 0x79 540672 37376" "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.max-transfer=4096,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
echo "== resumed allocation and a FUA write in two pieces"
$MKQCOW2 -o cluster_size=4096 "$TEST_DIR/b.qcow2" 4M > /dev/null
$QEMU_IO -t writeback -c "break l2_alloc_write B" -c "aio_write -P 0xa9 262144 1024" -c "wait_break B" -c "resume B" -c "aio_write -f -P 0xac 131072 120320" "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"512\",\"max-transfer\":\"65536\",\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/b.qcow2\"}}}"
md5sum < "$TEST_DIR/b.qcow2"
