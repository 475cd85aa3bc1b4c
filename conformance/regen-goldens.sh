#!/usr/bin/env bash
# Regenerates the golden outputs conformance/scenarios/NNN-name.out with the real qemu-io.
#
#   conformance/regen-goldens.sh [SCENARIO...]     # default: every scenarios/*.sh
#   QEMU_IO_PROG=/path/to/qemu-io conformance/regen-goldens.sh
#
# Each scenario runs twice; a golden is written only if both runs agree and nothing timed
# out. A nondeterministic scenario must be fixed, not committed. Hand-written
# NNN-name.blkdebug.out files (documented differences) are never touched.
# A scenario that leaves qcow2 images also gets NNN-name.check: the real `qemu-img check` of
# each of them after qemu-io's run (run-scenario.sh's CONF_CHECK_OUT), checked the same way.
set -u
here=$(cd "$(dirname "$0")" && pwd)
prog=${QEMU_IO_PROG:-/usr/bin/qemu-io}
if [ ! -x "$prog" ]; then
  echo "regen-goldens: $prog not found (set QEMU_IO_PROG)" >&2
  exit 2
fi
command -v qemu-img >/dev/null || { echo "regen-goldens: qemu-img not found (apt-get install qemu-utils)" >&2; exit 2; }
"$prog" --version | head -n1 >&2
if [ $# -eq 0 ]; then
  set -- "$here"/scenarios/*.sh
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for sc in "$@"; do
  name=$(basename "$sc" .sh)
  out=$(dirname "$sc")/$name.out
  check=$(dirname "$sc")/$name.check
  CONF_CHECK_OUT=$tmp/ca "$here/run-scenario.sh" "$prog" "$sc" > "$tmp/a" 2>&1
  CONF_CHECK_OUT=$tmp/cb "$here/run-scenario.sh" "$prog" "$sc" > "$tmp/b" 2>&1
  if ! cmp -s "$tmp/ca" "$tmp/cb"; then
    echo "NONDETERMINISTIC $name: qemu-img check differs between two runs, golden not written:" >&2
    diff -u "$tmp/ca" "$tmp/cb" | head -n 40 >&2
    failed=1
    continue
  fi
  if ! cmp -s "$tmp/a" "$tmp/b"; then
    echo "NONDETERMINISTIC $name: two runs differ, golden not written:" >&2
    diff -u "$tmp/a" "$tmp/b" | head -n 40 >&2
    failed=1
    continue
  fi
  if grep -qE '^\[exit (124|137)\]$|\[exit (124|137)\]$' "$tmp/a"; then
    echo "TIMEOUT $name: qemu-io hung (exit 124/137), golden not written" >&2
    failed=1
    continue
  fi
  if [ -f "$out" ] && cmp -s "$tmp/a" "$out"; then
    echo "same     $name"
  else
    cp "$tmp/a" "$out"
    echo "WROTE    $name"
  fi
  if [ ! -s "$tmp/ca" ]; then
    [ -f "$check" ] && rm -f "$check" && echo "REMOVED  $name.check (no qcow2 image left)"
  elif [ -f "$check" ] && cmp -s "$tmp/ca" "$check"; then
    echo "same     $name.check"
  else
    cp "$tmp/ca" "$check"
    echo "WROTE    $name.check"
  fi
done
exit $failed
