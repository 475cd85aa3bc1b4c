# A zero-length write to qcow2 still takes qcow2's lock once (qcow2_co_pwritev_part locks after
# its loop, for out_locked, even when the loop ran no piece), so under writethrough its FUA flush
# (flush_to_os) fires only after an aio_write that holds the lock for its L2 allocation has let
# go of it. First run: the flush_to_os rule (errno 22, once=off) is armed while the aio_write
# checks its COW areas; its write-zeroes of the new clusters fails, it reports first, then the
# zero-length write's flush fails. Second run: the aio_write's write-zeroes fires pwritev_zero
# after that, whose rule (errno 5, once) replaces the active ones; the aio_write fails with EIO
# and the zero-length write's flush meets no rule (exit 0); close fails on flush_to_os again.
# Ours ran the zero-length write's flush at once, during the L2 allocation (difftest seed
# 31000000 session 7331). Before the fix both runs printed the write's line first. (QEMU printed
# the second run's 'wrote' line first once in about 30 runs by hand; the rest as the golden.)
# image-format: qcow2
# image-options: cluster_size=4096
O="driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
printf '[inject-error]\nevent = "flush_to_os"\nerrno = "22"\nonce = "off"\n' > "$TEST_DIR/rules.conf"
echo "== flush_to_os only"
$QEMU_IO --image-opts -c "aio_write -P 15 0 121856" -c "write -P 0xed 515584 0" "$O"
md5sum < "$IMG"
echo "== and pwritev_zero"
cp "$IMG" "$TEST_DIR/first.qcow2"
$MKQCOW2 -o cluster_size=4096 "$IMG" 1M > /dev/null
printf '[inject-error]\nevent = "pwritev_zero"\nerrno = "5"\nonce = "on"\n' >> "$TEST_DIR/rules.conf"
$QEMU_IO -t writethrough --image-opts -c "aio_write -P 15 0 121856" -c "write -P 0xed 515584 0" "$O"
md5sum < "$IMG"
