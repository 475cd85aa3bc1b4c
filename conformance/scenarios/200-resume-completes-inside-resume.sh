# Found by the differential tester (docs/difftest.md). A request suspended after its I/O
# (pwritev_done, and a flush's events under writethrough) finishes inside the `resume` that
# releases it: QEMU enters the suspended coroutine from the command, the request completes
# and its aio report is printed there, before the next command's output. A request
# suspended before its I/O (write_aio) only starts its I/O at resume and reports later.
# Also with remove_break (which resumes what it finds) and in stdin mode.
$QEMU_IO -f raw -t writeback -c 'break pwritev_done A' -c 'aio_write -P 0x33 0 512' -c 'wait_break A' \
  -c 'resume A' -c length -c aio_flush -c 'read -P 0x33 0 512' "blkdebug::$IMG"
echo "== one before its I/O, one after, released in turn"
$QEMU_IO -f raw -t writeback -c 'break write_aio C' -c 'aio_write -P 0x9e 8192 1024' -c 'wait_break C' \
  -c 'break pwritev_done D' -c 'aio_write -P 0x65 65536 1024' -c 'wait_break D' -c length \
  -c 'resume D' -c 'resume C' -c length -c aio_flush "blkdebug::$IMG"
echo "== an injected error, writethrough's flush_to_os"
printf '[inject-error]\nevent = "pwritev_done"\nerrno = "28"\nonce = "on"\n' > "$TEST_DIR/r.conf"
$QEMU_IO -f raw -c 'break pwritev_done E' -c 'aio_write -P 1 0 4k' -c 'wait_break E' -c 'resume E' \
  -c 'aio_write -P 2 4k 4k' -c aio_flush -c 'break flush_to_os F' -c 'aio_write -P 3 8k 4k' -c 'wait_break F' \
  -c 'resume F' -c length -c aio_flush "blkdebug:$TEST_DIR/r.conf:$IMG"
echo "== remove_break, stdin"
$QEMU_IO -f raw -t writeback "blkdebug::$IMG" <<CMDS
break pwritev_done G
break pwritev_done H
aio_write -P 4 0 512
wait_break H
resume H
wait_break G
remove_break H
resume G
length
aio_flush
CMDS
