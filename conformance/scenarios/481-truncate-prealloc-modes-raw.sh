# truncate -m on a raw image: raw and blkdebug pass the mode down (raw_co_truncate,
# blkdebug_co_truncate) and file-posix decides (handle_aiocb_truncate): any mode but "off" may
# only grow the file ("Cannot use preallocation for shrinking files"), "metadata" is not one of
# its modes; "falloc" and "full" grow it as "off" does. Under -s the temporary qcow2 overlay on
# top decides instead (qcow2_co_truncate): every mode grows, none shrinks, and a size that is
# not whole sectors fails first. Found with scenario 480 (ours took every mode everywhere).
cat > "$TEST_DIR/rules.conf" <<'RULES'
[inject-error]
event = "flush_to_disk"
RULES
for m in metadata falloc full; do
  truncate -s 1M "$IMG"
  $QEMU_IO -f raw -c "truncate -m $m 2M" -c length -c "truncate -m $m 512K" -c "truncate -m $m 1000000" \
    -c "truncate -m $m 2M" -c length "blkdebug:$TEST_DIR/rules.conf:$IMG"
  md5sum < "$IMG"
  $QEMU_IO -s -f raw -c "truncate -m $m 3M" -c length -c "truncate -m $m 512K" -c "truncate -m $m 1000000" \
    -c length "blkdebug:$TEST_DIR/rules.conf:$IMG"
done
