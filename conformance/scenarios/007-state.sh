# state: an inject-error rule with state=N only arms when its event fires in state N.
# The initial state is 1; state 0 on a rule means any state; state -1 never matches.
for st in 0 1 2 -1; do
  echo "== state $st"
  printf '[inject-error]\nevent = "read_aio"\nstate = "%s"\n' "$st" > "$TEST_DIR/c.ini"
  $QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/c.ini":"$IMG"
done
