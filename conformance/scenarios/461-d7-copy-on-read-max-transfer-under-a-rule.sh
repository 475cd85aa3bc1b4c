# Under copy-on-read (-C) on qcow2 over blkdebug with max-transfer=4096, a read 40 KiB into an
# unallocated cluster makes qemu-io 7.2 abort on bdrv_co_do_copy_on_readv's assertion
# skip_bytes < pnum (D7; difftest seed 70000000 session 13764). The rule with a negative errno
# armed by the first write's read-modify-write plays no part: without it QEMU aborts the same, and
# without max-transfer it reads (zeroes: the pattern check fails). Ours reads as QEMU would without
# max-transfer; at close ours writes the first write's cluster back (QEMU, -t unsafe, died first).
# difference: D7
# image-format: qcow2
# image-size: 1048576
# (2>/dev/null drops the wrapper shell's own "Aborted" line, which names a pid)
$QEMU_IO -C -t unsafe -c "write -P 107 4096 8192" -c "read -P 0x19 761856 4096" -c "read -P 0x90 51712 1024" \
  "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"max-transfer\":\"4096\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"},\"inject-error\":[{\"event\":\"pwritev_rmw_after_head\",\"errno\":\"-5\",\"immediately\":\"on\"}]}}" 2>/dev/null
