# Under O_DIRECT (-t none, directsync, -n) QEMU's file-posix probes the request alignment on the
# image file itself at each open (raw_probe_alignment): O_DIRECT reads at offset 0 of 1, 512, ...
# bytes. A 1-byte read that succeeds never reached the disk (a hole: a fresh sparse file, tmpfs)
# and means "unknown", hence 4 KiB (ext4 answers 512 once the first block is written; tmpfs, where
# the suite runs, never: that part is left out, the golden must not depend on the file system). A
# writer that takes no RESIZE (raw, blkdebug, the root) then needs an image length (whole
# sectors) that is a multiple of it, and blkdebug's limits must be multiples of it. Read-only
# opens need neither. A probed raw image prints its warning before the refusal.
# image-size: 1000000
$QEMU_IO -t none -f raw -c 'length' "$IMG"
$QEMU_IO -t directsync -c 'length' "$IMG"
$QEMU_IO -n -r -f raw -c 'length' -c 'read -P 0 999999 1' -c 'map' "$IMG"
$QEMU_IO -t none -c 'length' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"image\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}}"
echo "== blkdebug's limits against a fresh sparse file's 4 KiB"
truncate -s 1M "$TEST_DIR/b.raw"
$QEMU_IO -t none -c 'length' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"max-transfer\":\"512\",\"image\":{\"driver\":\"file\",\"filename\":\"$TEST_DIR/b.raw\"}}}"
$QEMU_IO -t none --image-opts -c 'length' "driver=raw,file.driver=blkdebug,file.opt-discard=1024,file.image.driver=file,file.image.filename=$TEST_DIR/b.raw"
echo "== the file's padding happens below blkdebug: no rmw event fires there"
printf '[inject-error]\nevent = "pwritev_rmw_head"\nerrno = "5"\n[inject-error]\nevent = "pwritev_rmw_tail"\nerrno = "5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -t none --image-opts -c 'write -P 5 1024 512' -c 'read -P 5 1024 512' -c 'read -P 0 0 1024' -c 'map' "driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/c.ini,file.max-transfer=8192,file.image.driver=file,file.image.filename=$TEST_DIR/b.raw"
