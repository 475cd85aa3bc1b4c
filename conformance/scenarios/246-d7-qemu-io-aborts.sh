# Where qemu-io 7.2 crashes and ours goes on (D7): a discard unaligned to align (SIGFPE), a
# discard split at opt-discard whose first piece is not aligned (an assertion in blkdebug), and a
# copy-on-read read on qcow2 cut at max-transfer (a request check of the block layer).
# difference: D7
# (2>/dev/null drops the wrapper shell's own "Aborted" line, which names a pid; qemu-io's stderr
# is already in the output)
echo "== discard 512 4096 with align=4096"
$QEMU_IO -c "open -o driver=raw,file.align=4096 blkdebug::$IMG" -c "discard 512 4096" 2>/dev/null
echo "== discard 215040 4096 with align=4096, opt-discard=65536"
$QEMU_IO -c "open -o driver=raw,file.align=4096,file.opt-discard=65536 blkdebug::$IMG" -c "discard 215040 4096" 2>/dev/null
echo "== copy-on-read read on qcow2 with max-transfer=8192"
$MKQCOW2 "$TEST_DIR/c.qcow2" 1M >/dev/null
$QEMU_IO -C --image-opts -c "read -P 0 65536 2048" \
  "driver=qcow2,file.driver=blkdebug,file.max-transfer=8192,file.image.driver=file,file.image.filename=$TEST_DIR/c.qcow2" 2>/dev/null
