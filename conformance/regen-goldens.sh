#!/usr/bin/env bash
# Regenerates the golden outputs conformance/scenarios/NNN-name.out with the real qemu-io.
#
#   conformance/regen-goldens.sh [SCENARIO...]     # default: every scenarios/*.sh
#   QEMU_IO_PROG=/path/to/qemu-io conformance/regen-goldens.sh
#
# Each scenario runs twice; a golden is written only if both runs agree and nothing timed
# out. A nondeterministic scenario must be fixed, not committed. Hand-written
# NNN-name.blkdebug.out files (documented differences) are never touched.
set -u
here=$(cd "$(dirname "$0")" && pwd)
prog=${QEMU_IO_PROG:-/usr/bin/qemu-io}
if [ ! -x "$prog" ]; then
  echo "regen-goldens: $prog not found (set QEMU_IO_PROG)" >&2
  exit 2
fi
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
  "$here/run-scenario.sh" "$prog" "$sc" > "$tmp/a" 2>&1
  "$here/run-scenario.sh" "$prog" "$sc" > "$tmp/b" 2>&1
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
done
exit $failed
