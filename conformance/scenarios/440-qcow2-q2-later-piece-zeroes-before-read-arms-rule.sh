# difference: Q2
# image-format: qcow2
# image-size: 4M
# A qcow2 aio_write over an allocated cluster (guest 0, host 0x50000) and a fresh one (guest 1)
# whose new host cluster is not next to it (guest 9 took 0x60000): two pieces.
# QEMU runs each piece as a task that goes until its first I/O (qcow2_co_pwritev_part,
# qcow2_add_task), so before the command returns the second piece has been mapped and its
# fresh cluster's zeroing (handle_alloc_space: a no-fallback write-zeroes of host 0x70000, which
# grows the file) is in flight. The read that follows fires read_aio, whose rule (no once) then
# fails every request: in QEMU the second piece's data write, after the zeroing went through.
# Ours maps the second piece only after the first piece's I/O, after the read armed the rule,
# so its zeroing fails and the file does not grow. Same output, same metadata and data
# (qemu-img check agrees); QEMU's file is one zero cluster longer.
# difftest seed 70000000 session 9464.
$QEMU_IO --image-opts -c "aio_write -q 1024 1024" -c aio_flush \
    -c "writev -q -P 231 610816 512" \
    -c "aio_write -f -P 0xea 57856 65536" -c "read -P 73 4608 4096" \
    "driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=$TEST_DIR/t.qcow2,file.inject-error.0.event=read_aio,file.inject-error.0.errno=122"
echo "file length: $(stat -c %s "$IMG")"
