# difference: D2
# A write under align=65536 whose merged padding read fires pwritev_rmw_tail, whose rule (EIO,
# once) fails the read. QEMU 7.2 ignores the read's error, writes, reports the write done (here in
# -C's machine-readable form) and its pwritev_done arms the EPERM write rule, which fails the next
# write (-f: FUA); ours fails the write with EIO at its read, fires no pwritev_done, and the next
# write goes through (difftest seed 80000000 session 15612, shrunk: the tester reads -C's report
# of a write as it reads "wrote").
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev_rmw_tail"
once = "on"
[inject-error]
event = "pwritev_done"
errno = "1"
iotype = "write"
RULES
$QEMU_IO -c "open -t none -o driver=raw,file.align=65536,file.max-transfer=65536 blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/t.raw" \
  -c "write -C -P 235 912896 1024" -c "aio_write -f 605696 512"
md5sum < "$IMG"
