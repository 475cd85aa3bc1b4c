# difference: D2
# A write whose read-modify-write read a rule fails: QEMU ignores the read's error and goes on
# to pwritev and pwritev_done, and pwritev_done's inject rule (errno 122) replaces the armed
# ones (blkdebug's process_rule: the first inject rule of an event empties active_rules), so the
# next read fails with EDQUOT. Ours ends the write at its failed read (D2): pwritev_done never
# fires, the EIO rule stays armed and the read fails with EIO. Difftest seed 41000 session 186
# (and seed 70000 session 182, where a flush-only rule armed at pwritev_done lets the read pass).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_rmw_tail"
errno = "5"
once = "off"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=65536,file.image.driver=file,file.image.filename=$IMG,file.inject-error.0.event=pwritev_done,file.inject-error.0.errno=122"
$QEMU_IO --image-opts -c "aio_write -P 20 4608 1" -c aio_flush -c "read 494592 4096" "$O"
md5sum < "$IMG"
