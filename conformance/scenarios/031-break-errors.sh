# break/resume/remove_break errors: an unknown event, a tag with nothing suspended, an
# unknown tag; the same commands on an image without blkdebug give ENOTSUP. Old dotted
# event spellings are unknown. Each failure makes the exit status 1.
$QEMU_IO -f raw -c 'break bogus A' -c 'break pwritev_rmw.head A' -c 'break READ_AIO A' -c 'resume A' \
  -c 'remove_break A' -c 'break read_aio A' -c 'resume A' blkdebug::"$IMG"
echo "== no blkdebug node"
$QEMU_IO -f raw -c 'break read_aio A' -c 'resume A' -c 'remove_break A' "$IMG"
echo "== argument counts"
$QEMU_IO -f raw -c 'break read_aio' -c 'break' -c 'break a b c' -c 'resume' -c 'remove_break' -c 'wait_break' -c 'resume A B' blkdebug::"$IMG"
