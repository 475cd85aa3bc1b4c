# -d ignore / -d off (and open -d ...) drop discards above blkdebug: the discard succeeds, fires
# no event, checks no rule and changes no byte; -d unmap / on pass it down, where an
# iotype=discard rule fails it. write -z -u then never unmaps below the format.
printf '[inject-error]\nevent = "none"\niotype = "discard"\nerrno = "5"\n' > "$TEST_DIR/d.ini"
$QEMU_IO -f raw -c 'write -P 7 0 8k' "$IMG"
for d in ignore off unmap on; do
  echo "== -d $d"
  $QEMU_IO -d $d -f raw -c 'discard 0 4k' -c 'discard 4k 4k' -c 'read -P 7 0 8k' blkdebug:"$TEST_DIR/d.ini":"$IMG"
done
echo "== open -d ignore, then open (default) on the same image"
$QEMU_IO -c "open -d ignore -o driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/d.ini,file.image.filename=$IMG" \
  -c 'discard 0 4k' -c 'write -z -u 0 4k' -c 'read -P 0 0 4k' -c close \
  -c "open -o driver=raw,file.driver=blkdebug,file.config=$TEST_DIR/d.ini,file.image.filename=$IMG" -c 'discard 4k 4k'
$QEMU_IO -f raw -c 'read -P 0 0 4k' -c 'read -P 7 4k 4k' "$IMG"
