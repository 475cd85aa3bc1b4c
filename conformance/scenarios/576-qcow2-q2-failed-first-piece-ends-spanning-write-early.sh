# difference: Q2
# A synchronous qcow2 write over guest clusters 0 and 1 while an earlier aio_write is allocating
# clusters 1-3: the write's second piece depends on that allocation (handle_dependencies). QEMU
# runs the first piece as a task (qcow2_add_task) and maps the second meanwhile, which waits for
# the aio_write's allocation; the first piece fails at its data write (write_aio rule), but the
# request ends only when its second piece has ended (aio_task_pool_wait_all), after the earlier
# aio_writes: its report comes last. Ours runs the pieces one after another and ends the write at
# its first piece's failure, before the aio_writes' reports (difftest seed 120000000 session 1181,
# its writev). Same lines, exit status and qemu-img check; the order differs.
# image-format: qcow2
# image-options: cluster_size=4096
# image-size: 2097152
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "write_aio"
errno = "1"
iotype = "write"
RULES
$QEMU_IO -f qcow2 -c "aio_write -P 148 447488 1024" -c "aio_write -P 187 4608 8192" -c "write -P 43 1024 3784" "blkdebug:$TEST_DIR/rules.conf:$TEST_DIR/t.qcow2"
