# The same under qcow2 (scenario 303): an aio write resumed from a breakpoint waits for the
# 'flush' with its own FUA flush, then writes its L2 table, lets go of qcow2's lock and flushes
# again; the next write, woken by the lock, begins its first O_DIRECT call (zeroing its new
# cluster) after that fdatasync began and still finishes first, so its FUA flush of the qcow2
# node reads write_gen before the aio write has bumped it, skips flush_to_disk, and the
# flush_to_disk rule (errno 28, once=off) stays unarmed: the write succeeds. Ours ran the
# fdatasync first and failed the write with ENOSPC, unless the woken write's call happened to
# begin first (the waker and the woken request race to their next call here): it varied between
# runs (difftest seed 20261203 session 13476).
# image-format: qcow2
cat > "$TEST_DIR/rules.conf" <<'RULES'
[set-state]
event = "l2_alloc_cow_read"
new_state = "3"
[inject-error]
event = "flush_to_disk"
errno = "28"
once = "off"
RULES
O="driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.image.driver=file,file.image.filename=$IMG"
O="$O,file.set-state.0.event=flush_to_disk,file.set-state.0.state=3,file.set-state.0.new_state=2"
$QEMU_IO -t directsync --image-opts -c "break write_aio A" -c "aio_write -P 0xa1 239104 1024" -c "wait_break A" \
  -c "resume A" -c flush -c "write -P 20 524288 8192" -c "read -P 20 524288 8192" "$O"
