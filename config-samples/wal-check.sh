#!/bin/sh
# Recovery check of the write-ahead-log samples (wal-*.io): wal-check.sh IMAGE ACKED
# The log holds records 1 and 2; record k is a header sector (every byte 72, 'H') at sector
# 2k-2 and a payload sector (every byte 96+k) at sector 2k-1. Recovery returns the records
# whose header is there. IMAGE passes when each of the first ACKED records (acknowledged to the
# log's caller before the crash) is recovered whole, and no record has a header without its
# payload (recovery would hand out garbage). Plain POSIX tools: it runs once per crash state.
img=$1
acked=${2:-0}
# has BYTE SECTOR: every byte of that 512-byte sector of the image is BYTE
has() {
  [ "$(dd if="$img" bs=512 skip="$2" count=1 2>/dev/null | od -An -v -tu1 | tr -s ' ' '\n' \
       | grep -v '^$' | sort -u)" = "$1" ]
}
for k in 1 2; do
  if has 72 $((2 * k - 2)); then
    if ! has $((96 + k)) $((2 * k - 1)); then
      if [ "$k" -le "$acked" ]; then
        echo "record $k was acknowledged and is lost: its header is there, its payload is not"
      else
        echo "record $k: a header without its payload"
      fi
      exit 1
    fi
  elif [ "$k" -le "$acked" ]; then
    echo "record $k was acknowledged and is lost"
    exit 1
  fi
done
exit 0
