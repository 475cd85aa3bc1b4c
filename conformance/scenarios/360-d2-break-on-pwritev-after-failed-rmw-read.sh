# A breakpoint on pwritev of a write whose padding (RMW) read fails. QEMU 7.2 ignores the failed
# read (bdrv_co_pwritev_part drops bdrv_padding_rmw_read's return value) and goes on to
# bdrv_aligned_pwritev, which fires pwritev: the write is suspended there, `resume` releases it and
# it then fails on the rule still armed. Ours ends the write at its failed read (D2): it never
# reaches pwritev, nothing is suspended and `resume` fails (`Could not resume request: No such file
# or directory`, exit 1); the write fails with the same errno, the image is the same. First on raw
# (an immediately=on rule armed by pwritev_rmw_head fails the read at once, so the write reaches
# pwritev before aio_write returns), then the qcow2 session the tester found (difftest seed
# 20300000 session 9509: qcow2's data write at host 0x5000 under align=65536, whose head read
# covers the sector a write_aio rule names).
# difference: D2
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 2097152
printf '[inject-error]\nevent = "pwritev_rmw_head"\nerrno = "5"\nonce = "off"\nimmediately = "on"\n' > "$TEST_DIR/raw.conf"
truncate -s 1M "$TEST_DIR/t.raw"
$QEMU_IO --image-opts -c "break pwritev A" -c "aio_write -P 0x31 512 512" -c "resume A" -c aio_flush \
  "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/raw.conf,file.align=4k,file.image.driver=file,file.image.filename=$TEST_DIR/t.raw"
md5sum < "$TEST_DIR/t.raw"
printf '[inject-error]\nevent = "write_aio"\nsector = "16"\nimmediately = "on"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO --image-opts -c "write -q -z 2096640 511" -c "break pwritev A" -c "aio_write -P 0x28 0 65536" -c "resume A" \
  "driver=qcow2,file.driver=blkdebug,file.config=$TEST_DIR/rules.conf,file.align=65536,file.opt-write-zero=65536,file.image.driver=file,file.image.filename=$IMG"
md5sum < "$IMG"
