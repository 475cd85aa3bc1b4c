# difference: D2
# A write whose read-modify-write read a rule fails, with another rule on pwritev: QEMU ignores
# the read's error (D2) and goes on to pwritev, whose inject rule (errno 95) replaces the armed
# ones (process_rule: the first inject rule an event processes empties active_rules), so
# blkdebug_co_pwritev fails the write with EOPNOTSUPP and the later read meets that rule too.
# Ours ends the write at its failed read: the write fails with the read's rule's errno (EPERM),
# which stays armed for the read. A breakpoint on pwritev_rmw_head first, as in difftest seed
# 20261203 session 8520: suspending there changes nothing of it.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "flush_to_os"
errno = "28"
[inject-error]
event = "pwritev"
errno = "95"
once = "off"
[inject-error]
event = "pwritev_rmw_head"
errno = "1"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -t writethrough --image-opts -c "break pwritev_rmw_head A" -c "aio_write -P 0x17 246272 512" -c "wait_break A" -c "resume A" -c aio_flush -c "read -C 230912 5120" -c "write -P 177 174080 1" "$O"
$QEMU_IO --image-opts -c "aio_write -P 0x17 246272 512" -c aio_flush -c "read 230912 5120" "$O"
md5sum < "$IMG"
