# difference: D2
# Two inject rules armed together by one event (write_aio), the first (EINVAL, once) fails the
# write's head padding read. QEMU ignores the read's error (D2) and bdrv_padding_rmw_read
# returns at it, before the tail read, so the other armed rule (EIO, once, immediately) is left
# for the write itself: blkdebug_co_pwritev's rule_check fails the write with EIO and uses the
# rule up, and the later read passes. Ours ends the write at its failed read: the write fails with
# EINVAL and the EIO rule stays armed, so the later read fails with it. Difftest seed 130000000
# session 10682.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
errno = "22"
once = "on"
[inject-error]
event = "write_aio"
once = "on"
immediately = "on"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO --image-opts -c "write -P 0x55 512 8192" -c "read 131072 512" -c "write -P 0x66 65536 512" "$O"
md5sum < "$IMG"
