# 077-style: a write suspended in pwritev (after serialisation), then an overlapping
# aligned write and a read of the same block; they wait behind it only if serialising.
# Checked through the final data and the Suspended/Resuming lines.
$QEMU_IO <<CMDS
open -o driver=raw,file.align=4k blkdebug::$IMG
break pwritev A
aio_write -P 30 0x8200 0x200
wait_break A
aio_write -q -P 31 0x8000 0x1000
sleep 100
resume A
aio_flush
read -P 31 0x8000 0x1000
CMDS
