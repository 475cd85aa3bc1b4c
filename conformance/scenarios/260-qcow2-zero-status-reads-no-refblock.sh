# image-format: qcow2
# qcow2 over blkdebug: an unaligned write -z first asks the block status of the rest of its
# cluster (is_zero). qcow2's first block status checks for preallocated metadata, which over
# blkdebug gives up at once (a protocol driver cannot say how much of the file is allocated), so
# no refcount block is read there. A sticky cluster_alloc error then fails the refcount block's
# read in the L2 table's allocation, nothing is left dirty, and the cache flushes at close have
# nothing to write: no "Failed to flush" lines (difftest seed 60000 session 204). With the error
# once, the write after it allocates, and an unaligned write -z into its cluster (not all zero
# around it) falls back to writing zeroes.
printf '[inject-error]\nevent = "cluster_alloc"\nerrno = "13"\n' > "$TEST_DIR/sticky.ini"
printf '[inject-error]\nevent = "cluster_alloc"\nerrno = "13"\nonce = "on"\n' > "$TEST_DIR/once.ini"
cp "$IMG" "$TEST_DIR/once.qcow2"
$QEMU_IO -f qcow2 -c 'write -z 557568 1024' -c 'map' "blkdebug:$TEST_DIR/sticky.ini:$IMG"
$QEMU_IO -f qcow2 -c 'write -z 557568 1024' -c 'write -P 7 524288 64k' -c 'write -z 557568 1024' \
  -c 'read -P 7 524288 33280' -c 'read -P 0 557568 1024' -c 'map' "blkdebug:$TEST_DIR/once.ini:$TEST_DIR/once.qcow2"
