#!/usr/bin/env bash
# Target 2 of docs/performance.md: `./blkdebug bench` against `qemu-img bench`, each run in a
# fresh process as qemu-img's is, on the same image through blkdebug::, alternating, N rounds;
# prints every time and the medians. Needs qemu-img (apt-get install qemu-utils).
#
#   scripts/bench-vs-qemu.sh [-n ROUNDS] [-c COUNT] [-w] [-f raw|qcow2] [IMAGE]
#
# Default image: 256 MiB on /dev/shm, preallocated (raw: full; qcow2: preallocation=full, so
# every cluster is allocated and the runs measure qcow2's mapping, not its allocation). With
# -f qcow2 both sides stack qcow2 over blkdebug over the file (`-f qcow2 blkdebug::IMG`), as
# QEMU's iotests do.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=5 count=200000 write="" fmt=raw
while getopts "n:c:wf:" o; do
  case $o in n) rounds=$OPTARG ;; c) count=$OPTARG ;; w) write=-w ;; f) fmt=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
case $fmt in raw|qcow2) ;; *) echo "bench-vs-qemu: -f takes raw or qcow2" >&2; exit 2 ;; esac
ext=img; [ "$fmt" = qcow2 ] && ext=qcow2
img=${1:-/dev/shm/blkdebug-bench.$ext}
command -v qemu-img >/dev/null || { echo "qemu-img not found (apt-get install qemu-utils)" >&2; exit 1; }
[ -f "$img" ] || qemu-img create -q -f "$fmt" -o preallocation=full "$img" 256M
"$root/blkdebug" bench -f "$fmt" -c 1000 "blkdebug::$img" >/dev/null   # builds and trains the cache once

secs() { sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for depth in 1 32; do
  ours=() native=() threads=()
  for _ in $(seq "$rounds"); do
    ours+=("$("$root/blkdebug" bench $write -f "$fmt" -c "$count" -d "$depth" "blkdebug::$img" | secs)")
    native+=("$(qemu-img bench $write -f "$fmt" -c "$count" -d "$depth" -t none -i native "blkdebug::$img" | secs)")
    threads+=("$(qemu-img bench $write -f "$fmt" -c "$count" -d "$depth" -t writeback -i threads "blkdebug::$img" | secs)")
  done
  mo=$(printf '%s\n' "${ours[@]}" | median)
  mn=$(printf '%s\n' "${native[@]}" | median)
  mt=$(printf '%s\n' "${threads[@]}" | median)
  echo "$fmt depth $depth ${write:+(write)}: blkdebug ${ours[*]} | qemu native ${native[*]} | qemu threads ${threads[*]}"
  awk -v o="$mo" -v n="$mn" -v t="$mt" -v c="$count" 'BEGIN {
    printf "  medians: blkdebug %.3f s (%.0f IOPS), qemu -t none -i native %.3f s (%.0f IOPS), qemu -t writeback -i threads %.3f s (%.0f IOPS)\n", o, c/o, n, c/n, t, c/t
    printf "  blkdebug/native %.2fx, blkdebug/threads %.2fx\n", n/o, t/o }'
done
