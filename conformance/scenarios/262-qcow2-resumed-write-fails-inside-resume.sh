# image-format: qcow2
# image-size: 4M
# A qcow2 write of one whole cluster held at write_aio (its allocation needs no I/O: the
# refcount block and the L2 table are cached) runs its data write in its own coroutine; resumed,
# it meets an immediately=on error there and its report comes inside the resume, before the
# next command's output, as on raw. A second one without the error writes after the resume and
# reports at aio_flush (difftest seed 60000 session 1581).
printf '[set-state]\nevent = "write_aio"\nstate = "1"\nnew_state = "2"\n[inject-error]\nevent = "write_aio"\nstate = "2"\nerrno = "5"\nimmediately = "on"\nonce = "on"\n' \
  > "$TEST_DIR/rules.conf"
$QEMU_IO -c "open -o driver=qcow2 blkdebug:$TEST_DIR/rules.conf:$IMG" -c "write -P 1 0 64k" \
  -c "break write_aio B" -c "aio_write -P 2 64k 64k" -c "resume B" -c "alloc 64k 64k" \
  -c "break write_aio C" -c "aio_write -P 3 128k 64k" -c "resume C" -c "alloc 128k 64k" -c aio_flush \
  -c "read -P 3 128k 64k" -c "alloc 64k 64k"
