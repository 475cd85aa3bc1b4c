# Two allocating writes whose clusters lie past the end of the image file: each first writes
# zeroes over its new cluster (cluster_alloc_space), which blkdebug's max-write-zero splits into
# 8 KiB pieces. QEMU's file-posix makes a write-zeroes past the end of the file serialising up
# to the end of all offsets (raw_do_pwrite_zeroes, a workaround for an XFS bug), so the second
# write's pieces wait until the first write's are done; its data write then fires write_aio,
# which arms an immediately=on error that fails the second write's next piece: its cluster is
# zeroed 8 KiB deep and the file ends there (401408). Without the serialisation the pieces
# interleave, the second write's zeroes are all written before the error is armed and the file
# ends 56 KiB later (difftest seed 60000 session 1581).
# image-format: qcow2
# image-size: 4M
printf '[inject-error]\nevent = "write_aio"\nerrno = "95"\nonce = "off"\nimmediately = "on"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO -c "open -t writethrough -o driver=qcow2,file.max-write-zero=8192 blkdebug:$TEST_DIR/rules.conf:$IMG" \
  -c "break l2_alloc_write A" -c "aio_write -P 0x35 196608 1024" -c "wait_break A" -c "resume A" \
  -c "write -q -f -P 0x1c 800768 1" | sort # the two failures race here (D21): their order is not the point
stat -c %s "$IMG"
