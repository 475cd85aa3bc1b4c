# Two breakpoints on pwritev, each on a qcow2 aio_write whose padding (RMW) read under
# align=65536 meets the write_aio rule (errno 95) the write armed just before. QEMU 7.2 ignores
# each failed read and goes on to pwritev, where the write is suspended (D2; scenario 360 for
# one); ours ends each write at its read, so both tags' `wait_break` fail with D11's text and their
# `resume` with `No such file or directory` (exit 1), and each write's report comes before its
# wait. The same lines otherwise and the same image (difftest seed 80000000 session 5396).
# difference: D2
# image-format: qcow2
# image-size: 4M
# image-options: cluster_size=4096
$QEMU_IO --image-opts -c "aio_write -z 512 40960" -c aio_flush \
    -c "break pwritev A" -c "aio_write -P 250 65536 131072" -c "wait_break A" -c length -c "resume A" -c aio_flush \
    -c "break pwritev C" -c "aio_write -P 218 393216 131072" -c "wait_break C" -c "resume C" -c aio_flush \
    "driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=$TEST_DIR/t.qcow2,file.inject-error.0.event=write_aio,file.inject-error.0.errno=95"
md5sum < "$TEST_DIR/t.qcow2"
