# remove_break TAG deletes armed breakpoints with the tag (on every event) and resumes all
# requests suspended with it; with an armed breakpoint left it succeeds silently. A tag
# that matches nothing fails with ENOENT.
$QEMU_IO -f raw -c 'break write_aio A' -c 'break read_aio A' -c 'aio_write -P 0x41 0 512' -c 'wait_break A' \
  -c 'remove_break A' -c 'aio_flush' -c 'read -P 0x41 0 512' -c 'remove_break A' blkdebug::"$IMG"
echo "== removing an unused breakpoint: the write is not suspended"
$QEMU_IO -f raw -c 'break write_aio B' -c 'remove_break B' -c 'write 0 512' -c 'remove_break B' blkdebug::"$IMG"
echo "== two requests suspended under one tag, both resumed by one remove_break"
# (-q: the two completions race, so only the data is checked)
$QEMU_IO -f raw -c 'break write_aio C' -c 'aio_write -q -P 1 0 512' -c 'break write_aio C' -c 'aio_write -q -P 2 4k 512' \
  -c 'break read_aio C' -c 'remove_break C' -c 'aio_flush' -c 'read -P 1 0 512' -c 'read -P 2 4k 512' blkdebug::"$IMG"
