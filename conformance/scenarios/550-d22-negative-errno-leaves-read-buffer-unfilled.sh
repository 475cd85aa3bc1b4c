# A rule with a negative errno answers a read "success without the I/O", so the read's buffer is
# never filled. Here it is qcow2's refcount table, read at open (sector 128, the rule armed by
# "none"): QEMU goes on with whatever g_try_malloc gave it, and the first allocation marks the
# image corrupt for what those bytes say (glibc's recycled heap: "invalid allocation of L2 table
# at offset 0"); ours' buffer is zeroes (a table of empty entries, so the new refcount block lands
# on the refcount table: "overlaps with refcount table"). The second run gives qemu-io
# zero-filled memory (MALLOC_PERTURB_=255: glibc's malloc fills with 255 ^ 0xff) and it prints
# what ours prints. D22; difftest seed 100000000 session 10559.
# difference: D22
# image-format: qcow2
# image-size: 2097152
cp "$IMG" "$TEST_DIR/base.qcow2"
printf '[inject-error]\nevent = "none"\nerrno = "-5"\nsector = "128"\nonce = "on"\n' > "$TEST_DIR/rules.conf"
$QEMU_IO -c "write -P 107 915968 8192" "blkdebug:$TEST_DIR/rules.conf:$IMG"
cp "$TEST_DIR/base.qcow2" "$IMG"
MALLOC_PERTURB_=255 $QEMU_IO -c "write -P 107 915968 8192" "blkdebug:$TEST_DIR/rules.conf:$IMG"
