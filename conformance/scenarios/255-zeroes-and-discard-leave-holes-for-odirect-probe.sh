# Write-zeroes and discard reach file-posix as fallocate: `write -z` as FALLOC_FL_ZERO_RANGE (an
# unwritten extent), `discard` and `write -z -u` as FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE (a
# hole), not as written zeroes. It shows at the next O_DIRECT open: the alignment probe's read of
# block 0 never reaches the disk there and gives 4096, so a writer is refused a 1000000-byte
# image (D18; the probe as scenario 210 shows it). Written data would give 512 on ext4, but not on
# tmpfs, where the suite runs: what shows it there is the file's allocated blocks (a punched hole
# has none; tmpfs has no ZERO_RANGE, and QEMU's fallback punches and allocates again).
# Found by the differential tester (seed 70000 session 2635, seed 20261203 session 3244).
odirect() {
  $QEMU_IO -f raw -d unmap "$@" -c 'truncate -m off 1000000' -c close \
    -c "open -t directsync -o driver=raw blkdebug::$IMG" -c 'read -P 0 8192 512' "blkdebug::$IMG"
  stat -c 'size %s blocks %b' "$IMG"
  truncate -s 0 "$IMG"
  truncate -s 1M "$IMG"
}
odirect -c 'write -q -z 0 65536'
odirect -c 'write -q -P 1 0 65536' -c 'write -q -z 0 65536'
odirect -c 'write -q -P 1 0 65536' -c 'discard -q 0 65536'
odirect -c 'write -q -P 1 0 65536' -c 'write -q -z -u 0 65536'
odirect -c 'write -q -P 1 0 65536' -c 'aio_write -q -z -u 0 65536' -c aio_flush
