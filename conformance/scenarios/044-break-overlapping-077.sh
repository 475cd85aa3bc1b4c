# 077-style overlapping requests with align=4k: A suspended in pwritev_rmw_after_tail and
# B in pwritev_rmw_after_head hold their blocks; a third write over both waits for them.
# Resumed B first, then A. Only the data is checked (-q): in QEMU the completion order of
# the waiting writes races (077 filters it too).
for order in "B A" "A B"; do
  echo "== resume order $order"
  set -- $order
  $QEMU_IO <<CMDS
open -o driver=raw,file.align=4k blkdebug::$IMG
break pwritev_rmw_after_tail A
aio_write -q -P 20 0x6000 0x200
wait_break A
break pwritev_rmw_after_head B
aio_write -q -P 21 0x7e00 0x200
wait_break B
aio_write -q -P 22 0x6800 0x1000
sleep 100
resume $1
sleep 100
resume $2
aio_flush
read -q -P 20 0x6000 0x200
read -q -P 0 0x6200 0x600
read -q -P 22 0x6800 0x1000
read -q -P 0 0x7800 0x600
read -q -P 21 0x7e00 0x200
CMDS
done
