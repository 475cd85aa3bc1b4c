# Under aio=native (qemu-io -k; it needs O_DIRECT), file-posix hands a request whose vector is
# aligned to Linux AIO (raw_co_prw), and laio_co_submit yields only when the request is still in
# flight after io_submit: ioq_submit looks for completions at once. A direct read that meets only
# holes of the file needs no disk, so the kernel answers it inside io_submit and the request goes
# on without yielding. Here the second aio_write's padding read (align=4096; the block 8192..12288
# is a hole of the sparse image) completes at submission, and its write passes blkdebug before
# the first aio_write, failed by its write_aio rule (immediately=off: a bottom half), fires
# pwritev_done and arms the write rule: only the first write fails. The same pair over a block
# that holds data (16384..20480, written first) waits for the disk as a thread-pool call does,
# meets the rule and fails. Without -k both pairs fail their second write (threads, 20 runs of 20
# each way by hand). Difftest seed 80000000 session 14344.
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
sector = "0"
iotype = "write"
[inject-error]
event = "pwritev_done"
iotype = "write"
once = "on"
RULES
O="driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=4096,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -k -t none --image-opts -c "aio_write -q -P 1 0 4096" -c "aio_write -q -P 2 8704 1024" -c aio_flush \
  -c "read -P 2 8704 1024" -c "write -q -P 9 16384 4096" -c "aio_write -q -P 1 0 4096" \
  -c "aio_write -q -P 2 17408 1024" -c aio_flush -c "read -P 2 17408 1024" "$O"
md5sum < "$IMG"
