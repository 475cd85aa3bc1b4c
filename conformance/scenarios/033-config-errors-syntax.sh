# Config file syntax: unknown sections, spaces inside brackets, an unclosed bracket, a key
# before any section, a whitespace-only line (parse error), an indented comment (a key
# named '#'). And what is accepted: comments at column 0, blank lines, CRLF, a last line
# without newline, text after the closing quote, duplicate keys (last wins), ids, and
# number/bool spellings (0x1c, 034, +28; yes/no/true/false/y/n).
n=0
try() {
  n=$((n+1))
  printf "$1" > "$TEST_DIR/e$n.ini"
  echo "-- $n: $(printf "$1" | tr '\n\r' '|^')"
  $QEMU_IO -f raw -c 'read 0 512' blkdebug:"$TEST_DIR/e$n.ini":"$IMG"
}
try '[foo]\nevent = "read_aio"\n'
try '[include]\npath = "x"\n'
try '[ inject-error ]\nevent = "read_aio"\n'
try '[inject-error\nevent = "read_aio"\n'
try 'event = "read_aio"\n'
try '[inject-error]\n   \nevent = "read_aio"\n'
try '[inject-error]\n\t\nevent = "read_aio"\n'
try '[inject-error]\n  # comment\nevent = "read_aio"\n'
try '[inject-error]\n= "x"\nevent = "read_aio"\n'
echo "== accepted forms"
try '# comment\n\n[inject-error]\n# another\nevent = "read_aio"\nerrno = "0x1c"\n'
try '[inject-error]\r\nevent = "read_aio"\r\nerrno = "034"\r\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "+28"'
try '[inject-error]\nevent   =   "read_aio" trailing text\nerrno\t=\t"13"   # note\n'
try '[inject-error]\nevent = "write_aio"\nevent = "read_aio"\nerrno = "1"\nerrno = "4"\n'
try '[inject-error "first"]\nevent = "read_aio"\nerrno = "11"\n[set-state "s1"]\nevent = "read_aio"\nnew_state = "2"\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "  22"\n'
try '[inject-error]\nevent = "read_aio"\nonce = "yes"\nimmediately = "true"\n'
try '[inject-error]\nevent = "read_aio"\nonce = "y"\nimmediately = "no"\n'
try '[inject-error]\nevent = "read_aio"\nonce = "false"\nimmediately = "n"\n'
try '[inject-error]\nevent = "read_aio"\nerrno = "4294967301"\n'
try ''
