# difference: D2
# A write-zeroes suspended at pwritev_zero, whose inject rule (iotype=read) that event arms,
# then an unaligned write under align=4k while it waits: the rule fails the write's padding
# (RMW) read. QEMU ignores the read's error (bdrv_co_pwritev_part drops the return value of
# bdrv_padding_rmw_read) and goes on to pwritev, whose rule (errno 122, every iotype) replaces
# the armed one (process_rule: the first inject rule an event processes empties active_rules)
# and fails the write; the resumed write-zeroes then meets that rule in rule_check, which reads
# the armed list when the request gets there, not when it was suspended: it fails too. Ours
# ends the write at its read (errno 122 as well), the read-only rule stays armed and the
# write-zeroes goes through (difftest seed 20300000 session 4405, where QEMU then hangs).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev"
errno = "122"
RULES
$QEMU_IO -c "open -t none -o driver=raw,file.align=4k,file.inject-error.0.event=pwritev_zero,file.inject-error.0.errno=122,file.inject-error.0.once=off,file.inject-error.0.iotype=read blkdebug:$TEST_DIR/rules.conf:$IMG" \
  -c "break pwritev_zero A" -c "aio_write -z 196608 8192" -c "wait_break A" -c "write -P 0x83 524288 512" -c "resume A" -c aio_flush
md5sum < "$IMG"
