# qcow2 under blkdebug with max-transfer=4096: the block layer cuts each write into 4 KiB pieces
# above qcow2. A write (A) held at its first piece's pwritev allocates guest cluster 5; a second
# write overlapping it waits for that allocation (handle_dependencies). When A links its first
# piece, qemu_co_queue_restart_all wakes the second write, but QEMU runs it only once A yields:
# A first maps its second piece (taking qcow2's lock again) and starts its data write, so the
# second write's read-modify-write (blkdebug's align=4096) waits for that piece and its bytes
# land last. Ours let the woken write take the lock at once and A's second piece then wrote over
# it (difftest seed 20261203 sessions 835 and 3825's class: image bytes differed).
# image-format: qcow2
$QEMU_IO --image-opts -c "break pwritev A" -c "aio_write -P 0x93 380928 8192" -c "wait_break A" -c "resume A" -c "aio_write -P 0xcd 383488 58880" -c aio_flush -c "read -P 0xcd 383488 58880" -c "read -P 0x93 380928 2560" "driver=qcow2,file.driver=blkdebug,file.align=4096,file.max-transfer=4096,file.image.driver=file,file.image.filename=$TEST_DIR/t.qcow2"
md5sum < "$IMG"
