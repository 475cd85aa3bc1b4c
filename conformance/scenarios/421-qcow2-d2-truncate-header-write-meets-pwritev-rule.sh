# qcow2 over blkdebug with align=512: truncate's header update (8 bytes of the size at offset 24)
# pads to 512, head and tail in one block, so one merged RMW read fires pwritev_rmw_head (set-state
# 1 -> 3) and pwritev_rmw_tail, whose rule (errno 5) fails the read (bdrv_padding_rmw_read,
# block/io.c). QEMU ignores the failed read (D2) and its write goes on to pwritev, whose state-3
# once rule replaces the armed one and fails the write: "Failed to update the image size: Invalid
# argument", nothing left armed. Ours fails the write at its read: the same line with
# "Input/output error", and the read's rule stays armed, so at close qcow2's cache flushes
# (bdrv_flush of the file) fail on it here (difftest seed 50000000 session 5289; qemu-io 20/20 the same).
# difference: D2
# image-format: qcow2
# image-size: 2097152
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "pwritev"
errno = "22"
once = "on"
state = "3"
[inject-error]
event = "pwritev_rmw_tail"
errno = "5"
[set-state]
event = "pwritev_rmw_head"
state = "1"
new_state = "3"
RULES
$QEMU_IO --image-opts "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=512,file.max-transfer=65536,file.image.driver=file,file.image.filename=$TEST_DIR/t.qcow2" <<CMDS
truncate 2097664
aio_read 65024 86528
readv 324096 100
close
CMDS
md5sum < "$IMG"
