# A rule with a negative errno makes blkdebug's driver answer a positive number, which io.c
# counts as success without the I/O, but which also ends its loops at that piece: the
# write-zeroes pieces (bdrv_co_do_pwrite_zeroes: "while (bytes > 0 && !ret)") and the discard
# pieces ("if (ret && ret != -ENOTSUP) goto out"), and skips the flush that emulates FUA
# (bdrv_driver_pwritev and bdrv_co_do_pwrite_zeroes flush on "ret == 0" only).
# 1. qcow2 zeroes a new cluster's COW area on blkdebug in 4 KiB pieces (max-write-zero); the
#    first answers 5, so none of them grows the file: it ends after the 8 KiB of data, the rest
#    of the cluster past EOF (difftest seed 80000000 session 956).
# 2. A discard in 4 KiB pieces (max-discard) stops after the first, which answered 5: the rest
#    of the data stays.
# 3. blkdebug on top: a FUA write (and a FUA write-zeroes) whose rule answers 5 is not flushed,
#    so the flush rule does not fail it although a write before it left something to flush
#    (nor is its data written); the flush command after them fails.
# image-format: qcow2
$QEMU_IO -c "write -P 228 851968 8192" -c "read -P 0 860160 57344" \
  "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"4096\",\"max-write-zero\":\"4096\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"},\"inject-error\":[{\"event\":\"pwritev_zero\",\"errno\":\"-5\",\"once\":\"on\"}]}}"
stat -c %s "$IMG"
truncate -s 1M "$TEST_DIR/t.raw"
cat > "$TEST_DIR/discard.conf" <<'RULES'
[inject-error]
event = "none"
iotype = "discard"
errno = "-5"
once = "on"
RULES
$QEMU_IO -c "write -P 0x11 0 64k" -c "discard 0 64k" -c "read -P 0x11 4k 60k" -c "read -P 0x11 0 4k" \
  "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/discard.conf\",\"max-discard\":\"4096\",\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/t.raw\"}}}"
rm "$TEST_DIR/t.raw"; truncate -s 1M "$TEST_DIR/t.raw"
cat > "$TEST_DIR/fua.conf" <<'RULES'
[inject-error]
event = "none"
iotype = "write"
errno = "-5"
sector = "0"
once = "on"
[inject-error]
event = "none"
iotype = "write-zeroes"
errno = "-5"
sector = "16"
once = "on"
[inject-error]
event = "none"
iotype = "flush"
errno = "5"
RULES
$QEMU_IO -t writeback -c "write -P 0x33 4k 4k" -c "write -f -P 0x22 0 4k" -c "write -f -z 8k 4k" -c "read -P 0 0 4k" \
  -c "read -P 0x33 4k 4k" -c flush \
  "json:{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/fua.conf\",\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/t.raw\"}}"
md5sum < "$TEST_DIR/t.raw"
