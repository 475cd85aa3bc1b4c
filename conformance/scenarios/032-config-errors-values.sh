# Config file value errors, each aborting the open with
# "qemu-io: can't open device blkdebug:CONFIG:IMG: <message>" on stderr and exit 1:
# missing event, unknown event/iotype, empty values, bad numbers, too large numbers,
# bad bools, unknown keys, keys of the other section, duplicate ids.
n=0
try() {
  n=$((n+1))
  printf "$1" > "$TEST_DIR/e$n.ini"
  echo "-- $n: $(printf "$1" | tr '\n' '|')"
  $QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/e$n.ini":"$IMG"
}
try '[inject-error]\nerrno = "5"\n'
try '[set-state]\nstate = "1"\nnew_state = "2"\n'
try '[inject-error]\n'
try '[inject-error]\nevent = "bogus"\n'
try '[inject-error]\nevent = "pwritev_rmw.head"\n'
try '[inject-error]\nevent = "Read_aio"\n'
try '[inject-error]\nevent = ""\n'
try '[inject-error]\nevent = read_aio\n'
try "[inject-error]\nevent = 'read_aio'\n"
try '[inject-error]\nevent read_aio\n'
try '[inject-error]\nevent = "read_aio"\niotype = "bogus"\n'
try '[inject-error]\nevent = "read_aio"\niotype = "READ"\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "abc"\n'
try '[inject-error]\nevent = "read_aio"\nerrno = ""\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "5 "\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "1k"\n'
try '[inject-error]\nevent = "read_aio"\nstate = "x"\n'
try '[inject-error]\nevent = "read_aio"\nsector = "99999999999999999999999"\n'
try '[set-state]\nevent = "read_aio"\nnew_state = "two"\n'
try '[set-state]\nevent = "read_aio"\nstate = "1.5"\n'
try '[inject-error]\nevent = "read_aio"\nonce = "1"\n'
try '[inject-error]\nevent = "read_aio"\nonce = "ON"\n'
try '[inject-error]\nevent = "read_aio"\nimmediately = "maybe"\n'
try '[inject-error]\nevent = "read_aio"\nfoo = "1"\n'
try '[inject-error]\nevent = "read_aio"\nnew_state = "2"\n'
try '[set-state]\nevent = "read_aio"\nerrno = "2"\n'
try '[inject-error]\nEVENT = "read_aio"\n'
try '[inject-error]\nevent = "read_aio"\ndelay-ns = "100"\n'
try '[inject-error]\nevent="read_aio"\n'
try '[inject-error "a"]\nevent = "read_aio"\n[inject-error "a"]\nevent = "write_aio"\n'
try '[set-state "s"]\nevent = "read_aio"\n[set-state "s"]\nevent = "write_aio"\n'
