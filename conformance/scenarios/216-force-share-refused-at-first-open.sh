# -U (force-share) without -r is refused in the first node's bdrv_open_common: after the
# filenames and drivers are resolved (a json syntax error, an unknown driver, a malformed
# blkdebug: filename come first), before any driver checks its own options (blkdebug's limits,
# its config file, an option raw does not know).
$QEMU_IO -U --image-opts -c 'length' "driver=raw,file.driver=blkdebug,file.align=65536,file.max-transfer=8192,file.image.driver=file,file.image.filename=$IMG"
$QEMU_IO -U -c 'length' "blkdebug:$TEST_DIR/missing.ini:$IMG"
$QEMU_IO -U -f raw -c 'length' "json:{\"driver\":\"raw\",\"bogus\":1,\"file\":{\"driver\":\"file\",\"filename\":\"$IMG\"}}"
$QEMU_IO -U -c 'length' "blkdebug:nocolon"
$QEMU_IO -U -c 'length' "json:{\"driver\":\"nosuch\"}"
$QEMU_IO -U -c 'length' "json:{\"driver\":"
$QEMU_IO -U -r -c 'length' "blkdebug::$IMG"
$QEMU_IO -c 'open -U -o driver=raw,file.max-transfer=3 blkdebug::'"$IMG" -c 'length'
