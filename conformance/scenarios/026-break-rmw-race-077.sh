# 077-style sequential RMW race (stdin mode, open -o inside the session, align=4k):
# a write suspended in pwritev_rmw_head / pwritev_rmw_after_head holds its aligned block
# serialised, so a second overlapping unaligned write waits behind it; after resume both
# complete in order and the image holds both patterns.
for ev in head after_head; do
  echo "== pwritev_rmw_$ev"
  $QEMU_IO <<CMDS
open -o driver=raw,file.align=4k blkdebug::$IMG
break pwritev_rmw_$ev A
aio_write -P 10 0x200 0x200
wait_break A
aio_write -P 11 0x400 0x200
sleep 100
resume A
aio_flush
read -P 10 0x200 0x200
read -P 11 0x400 0x200
read -P 0 0 0x200
read -P 0 0x600 0xa00
CMDS
done
