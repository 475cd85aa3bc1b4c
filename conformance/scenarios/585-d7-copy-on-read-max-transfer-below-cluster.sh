# Under copy-on-read (-C) on qcow2 (64 KiB clusters) over blkdebug with align=4096 and
# max-transfer=8192 and no rule at all, a read 14848 bytes into an unallocated cluster makes
# qemu-io 7.2 abort: bdrv_co_do_copy_on_readv asks bdrv_is_allocated for at most max-transfer
# bytes from the cluster's start, gets pnum 8192, and fails its assertion skip_bytes < pnum
# (D7; difftest seed 130000000 sessions 7646 and 11524). Ours skips the pieces before the request,
# copies the whole cluster (zeroes: a zero cluster) and reads what QEMU reads without
# max-transfer; the earlier write and the later reads go through.
# difference: D7
# image-format: qcow2
# image-size: 2097152
# (2>/dev/null drops the wrapper shell's own "Aborted" line, which names a pid)
$QEMU_IO -C -c "write -P 0x5 0 4096" -c "read -P 0 473600 512" -c "read -P 0 458752 65536" -c "read -P 0x5 0 4096" \
  "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"align\":\"4096\",\"max-transfer\":\"8192\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}" 2>/dev/null
