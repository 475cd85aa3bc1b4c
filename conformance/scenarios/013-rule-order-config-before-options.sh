# Rule order: config-file rules come before runtime-option rules (inject-error.N.*), and
# the first armed rule in definition order that matches a request wins. Shown with the
# --image-opts form, both with and without the config file.
printf '[inject-error]\nevent = "read_aio"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
opts="driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=$IMG"
echo "== config (ENOSPC) before option rule (EACCES)"
$QEMU_IO --image-opts -c 'read 0 512' \
  "$opts,file.config=$TEST_DIR/c.ini,file.inject-error.0.event=read_aio,file.inject-error.0.errno=13"
echo "== two option rules: index order decides"
$QEMU_IO --image-opts -c 'read 0 512' \
  "$opts,file.inject-error.0.event=read_aio,file.inject-error.0.errno=1,file.inject-error.1.event=read_aio,file.inject-error.1.errno=13"
echo "== first rule restricted to sector 8: second wins elsewhere"
$QEMU_IO --image-opts -c 'read 0 512' -c 'read 4096 512' \
  "$opts,file.inject-error.0.event=read_aio,file.inject-error.0.errno=1,file.inject-error.0.sector=8,file.inject-error.1.event=read_aio,file.inject-error.1.errno=13"
echo "== single rule without index, with set-state.N"
$QEMU_IO --image-opts -c 'read 0 512' -c 'read 0 512' \
  "$opts,file.inject-error.event=read_aio,file.inject-error.state=2,file.set-state.0.event=read_aio,file.set-state.0.state=1,file.set-state.0.new_state=2"
