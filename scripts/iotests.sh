#!/usr/bin/env bash
# Runs QEMU's own iotests with ./blkdebug as qemu-io (qemu-img and qemu-nbd stay QEMU's).
#
#   scripts/iotests.sh QEMU_SRC [TEST...]
#
# QEMU_SRC is a QEMU 7.2 source tree (the v7.2.0 tarball, or `apt-get source qemu` with a
# deb-src line); nothing of it is copied into this repository. Without TEST, the suite the
# project answers for runs: 033 077 (raw) and 020 026 046 066 074 089 098 110 177 179 204 217
# 268 271 289 (qcow2). A test number may carry its format: 033:raw. Prints one line per test
# and a total; failing tests leave their output in $IOTESTS_KEEP (default: a temp dir, printed).
#
# The system emulator is absent: a stand-in answers `-machine help` (all these tests ask of it)
# and refuses anything else. Per-test timeout: IOTESTS_TIMEOUT seconds (default 900).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ] || [ ! -x "$1/tests/qemu-iotests/check" ]; then
  echo "usage: $0 QEMU_SRC [TEST...]" >&2
  [ $# -ge 1 ] && echo "iotests: $1/tests/qemu-iotests/check not found" >&2
  echo "QEMU_SRC is a QEMU 7.2 source tree: \`apt-get source qemu\` (Debian 12, with a deb-src line)" >&2
  echo "or the qemu-7.2.0 tarball from https://download.qemu.org, unpacked" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
shift
raw_tests="033 077"
qcow2_tests="020 026 046 066 074 089 098 110 177 179 204 217 268 271 289"
if [ $# -eq 0 ]; then
  set -- $(for t in $raw_tests; do echo "$t:raw"; done) $(for t in $qcow2_tests; do echo "$t:qcow2"; done)
fi
for prog in qemu-img:qemu-utils qemu-nbd:qemu-utils python3:python3 timeout:coreutils; do
  command -v "${prog%%:*}" >/dev/null || {
    echo "iotests: ${prog%%:*} not found (apt-get install ${prog#*:})" >&2; exit 2; }
done
case "$(qemu-img --version | head -n1)" in
  *" 7.2"*) ;;
  *) echo "iotests: warning: $(qemu-img --version | head -n1): the expected outputs are QEMU 7.2's" >&2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/bdiotests.XXXXXX")
keep=${IOTESTS_KEEP:-$work/results}
mkdir -p "$keep"
trap 'rm -rf "$work/scratch" "$work/sock"' EXIT
cat > "$work/qemu-system-stub" <<'STUB'
#!/bin/sh
# Stand-in for qemu-system-*: the iotests used here only ask it for its machine list.
if [ "$1" = "-machine" ] && [ "$2" = "help" ]; then
  echo "Supported machines are:"
  echo "pc                   Standard PC (default)"
  exit 0
fi
echo "qemu-system stand-in: no system emulator here" >&2
exit 1
STUB
chmod +x "$work/qemu-system-stub"

# build once, so no test pays for it (and none sees "building" on stderr)
echo "iotests: preparing $here/blkdebug (the first run builds it: about a minute)" >&2
if ! build_log=$("$here/blkdebug" -c quit 2>&1 </dev/null); then
  printf '%s\n' "$build_log" | tail -n 20 >&2
  echo "iotests: $here/blkdebug does not start (needs a JDK >= 21 and Maven; see README.md)" >&2
  exit 2
fi

pass=0; fail=0; notrun=0; total=0
for spec in "$@"; do
  t=${spec%%:*}
  fmt=${spec#*:}
  if [ "$fmt" = "$spec" ]; then
    case " $raw_tests " in *" $t "*) fmt=raw ;; *) fmt=qcow2 ;; esac
  fi
  total=$((total + 1))
  rm -rf "$work/scratch" "$work/sock"
  mkdir -p "$work/scratch" "$work/sock"
  start=$(date +%s)
  out=$(cd "$src/tests/qemu-iotests" && \
    env QEMU_PROG="$work/qemu-system-stub" QEMU_IMG_PROG="$(command -v qemu-img)" \
        QEMU_IO_PROG="$here/blkdebug" QEMU_NBD_PROG="$(command -v qemu-nbd)" QSD_PROG=/bin/false \
        TEST_DIR="$work/scratch" SOCK_DIR="$work/sock" \
        timeout "${IOTESTS_TIMEOUT:-900}" python3 ./check -tap "-$fmt" "$t" 2>&1)
  rc=$?
  secs=$(( $(date +%s) - start ))
  line=$(printf '%s\n' "$out" | grep -E "^(not ok|ok) " | head -n1)
  if [ $rc -eq 124 ]; then
    result="fail (timeout after ${IOTESTS_TIMEOUT:-900} s)"; fail=$((fail + 1))
    # what the test had printed so far, for a test that hangs or is merely slow on a busy machine
    cp "$work/scratch/$t.out.bad" "$keep/$t-$fmt.out.bad" 2>/dev/null
    printf '%s\n' "$out" > "$keep/$t-$fmt.log"
  elif printf '%s' "$line" | grep -q '# SKIP'; then
    result="not run (${line#*# SKIP })"; notrun=$((notrun + 1))
  elif printf '%s' "$line" | grep -q '^ok '; then
    result="pass"; pass=$((pass + 1))
  else
    result="fail"; fail=$((fail + 1))
    cp "$work/scratch/$t.out.bad" "$keep/$t-$fmt.out.bad" 2>/dev/null
    printf '%s\n' "$out" > "$keep/$t-$fmt.log"
  fi
  printf '%-4s %-6s %-40s %4ss\n' "$t" "$fmt" "$result" "$secs"
done
echo "total: $pass passed, $fail failed, $notrun not run, of $total (blkdebug as qemu-io; QEMU $(qemu-img --version | head -n1 | awk '{print $3}'))"
if [ $fail -gt 0 ]; then
  echo "outputs of failing tests: $keep"
  exit 1
fi
rm -rf "$work"
