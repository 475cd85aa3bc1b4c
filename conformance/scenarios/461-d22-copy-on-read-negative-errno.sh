# A rule with a negative errno makes blkdebug answer a positive number, "success without the
# I/O"; under copy-on-read (-C) the first write's read-modify-write arms one, qcow2's later L2
# read "succeeds" without data, and qemu-io 7.2 aborts on bdrv_co_do_copy_on_readv's assertion
# (D22; difftest seed 70000000 session 13764). Ours' read fails and the session goes on; at
# close ours writes the first write's cluster back (QEMU, -t unsafe, died before it did).
# difference: D22
# image-format: qcow2
# image-size: 1048576
# (2>/dev/null drops the wrapper shell's own "Aborted" line, which names a pid)
$QEMU_IO -C -t unsafe -c "write -P 107 4096 8192" -c "read -P 0x19 761856 4096" -c "read -P 0x90 51712 1024" \
  "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\",\"max-transfer\":\"4096\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"},\"inject-error\":[{\"event\":\"pwritev_rmw_after_head\",\"errno\":\"-5\",\"immediately\":\"on\"}]}}" 2>/dev/null
