# Config file and filename errors: a missing config file, a directory, a path through a
# regular file (ENOTDIR; mode 000 is not used: root could still read it), "blkdebug:IMG" without a config
# part, a missing image, and format probing without -f (which reads sector 0 through
# blkdebug and can fail, or succeeds with a WARNING on stderr).
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/nosuch.ini":"$IMG"
mkdir "$TEST_DIR/dir.ini"
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/dir.ini":"$IMG"
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$IMG"/c.ini:"$IMG"
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$IMG"
$QEMU_IO -f raw -c 'read 0 512' blkdebug::"$TEST_DIR/nosuchimg"
$QEMU_IO -f raw -c 'read 0 512' "$TEST_DIR/nosuchimg"
printf '[inject-error]\nevent = "read_aio"\n' > "$TEST_DIR/c.ini"
echo "== probing reads sector 0 through blkdebug, without read_aio (raw is not there yet)"
$QEMU_IO -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
$QEMU_IO -c 'read 0 512' blkdebug::"$IMG"
printf '[inject-error]\nevent = "none"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
