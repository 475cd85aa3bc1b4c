# stdin mode (commands from a here-doc and from a file): the prompt "qemu-io> " is printed
# before each command is read (no newline), output is flushed at each prompt; errors,
# aio completions and the final exit status as in -c mode.
printf '[inject-error]\nevent = "write_aio"\nerrno = "28"\nonce = "on"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f raw blkdebug:"$TEST_DIR/c.ini":"$IMG" <<'CMDS'
write -P 0x61 0 512
write -P 0x62 0 512
read -P 0x62 0 512
aio_read 0 512
aio_flush
frobnicate
read 0
CMDS
cat > "$TEST_DIR/script.io" <<'CMDS'
read -P 0x62 0 512
length
aio_write -P 0x63 512 512
aio_flush
read -v 512 16
CMDS
$QEMU_IO -f raw blkdebug::"$IMG" < "$TEST_DIR/script.io"
echo "== empty script"
$QEMU_IO -f raw blkdebug::"$IMG" < /dev/null
