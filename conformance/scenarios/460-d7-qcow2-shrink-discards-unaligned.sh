# A shrinking qcow2 truncate discards the clusters it frees; with clusters smaller than blkdebug's
# align (4 KiB clusters, align=65536) those discards are unaligned, and qemu-io 7.2 dies of the
# same SIGFPE as an unaligned `discard` (D7; difftest seed 80000000 session 15274). Ours truncates
# (the discards' pieces smaller than the alignment are skipped) and goes on. With 64 KiB clusters
# QEMU's truncate goes through too.
# difference: D7
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 4194304
# (2>/dev/null drops the wrapper shell's own "Floating point exception" line, which names a pid)
O="driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -t writeback --image-opts -c "write -P 7 3M 64k" -c "truncate 2M" -c length -c "read -P 0 0 64k" "$O" 2>/dev/null
$MKQCOW2 -o cluster_size=65536 "$TEST_DIR/big.qcow2" 4M > /dev/null
$QEMU_IO -t writeback --image-opts -c "write -P 7 3M 64k" -c "truncate 2M" -c length \
  "driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=$TEST_DIR/big.qcow2"
