# A fatal qcow2 corruption drops the node's driver (bs->drv = NULL): every request then fails with
# ENOMEDIUM, and QEMU 7.2's walk to the blkdebug node below (bdrv_find_debug_node) stops at it, so
# `break` and `remove_break` answer ENOTSUP — except `resume`, whose own walk goes on past it.
# image-format: qcow2
# image-size: 4M
printf '[inject-error]\nevent = "cluster_alloc"\nerrno = "-5"\n' > "$TEST_DIR/c.ini"
$QEMU_IO -f qcow2 -c 'break bogus_event X' -c 'write 0 512' -c 'read 0 512' -c 'break bogus_event X' -c 'break write_aio X' -c 'resume X' -c 'remove_break X' "blkdebug:$TEST_DIR/c.ini:$IMG"
