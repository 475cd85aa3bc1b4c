# With align=4k blkdebug sees padded requests: a 512-byte read at 0 hits a rule for
# sector 7 (byte 3584 is inside the padded 4 KiB read); an unaligned 512-byte write is
# checked as the padded 4 KiB write, so a write rule for sector 7 fails it.
printf '[inject-error]\nevent = "none"\nsector = "7"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -c 'read 0 512' -c 'read 4096 512' \
  "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/c.ini\",\"align\":4096,\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
echo "== without align the same read passes"
$QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
echo "== iotype write, sector 7: an unaligned write at 0 is padded over it"
printf '[inject-error]\nevent = "none"\nsector = "7"\niotype = "write"\nerrno = "28"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -c 'write -P 0x77 0 512' -c 'read -P 0 0 4096' \
  "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"$TEST_DIR/c.ini\",\"align\":4096,\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
