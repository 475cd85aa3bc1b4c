# 077-style chained dependencies: a write suspended in pwritev_rmw_after_tail holds
# block 0x5000; seven more 0x200 writes into the same block queue behind it; after the
# resume all land (checked by read -P; completions are -q since they race in QEMU).
{
  echo "open -o driver=raw,file.align=4k blkdebug::$IMG"
  echo "break pwritev_rmw_after_tail A"
  echo "aio_write -q -P 40 0x5000 0x200"
  echo "wait_break A"
  p=41
  for off in 0x5200 0x5400 0x5600 0x5800 0x5a00 0x5c00 0x5e00; do echo "aio_write -q -P $p $off 0x200"; p=$((p+1)); done
  echo "sleep 100"
  echo "resume A"
  echo "aio_flush"
  p=40
  for off in 0x5000 0x5200 0x5400 0x5600 0x5800 0x5a00 0x5c00 0x5e00; do echo "read -q -P $p $off 0x200"; p=$((p+1)); done
} > "$TEST_DIR/script.io"
$QEMU_IO < "$TEST_DIR/script.io"
