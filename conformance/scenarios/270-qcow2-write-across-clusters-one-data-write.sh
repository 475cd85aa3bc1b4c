# A write across two unallocated clusters (4 KiB clusters, blkdebug align=512, so the data write
# is padded at both ends) is one allocation of two contiguous host clusters and one data write,
# as QEMU's handle_alloc makes it (one L2Meta, one qcow2_co_pwritev_task): its padding reads come
# after the metadata writes and the zeroing, before its own pwritev_done. So is a write from an
# allocated cluster into the free one right behind it in the file (handle_copied, then
# handle_alloc at the next host offset). (Seed 777 session 18 of the differential tester looked
# like a split of the first write; it is D2: the metadata writes' pwritev_done arm an iotype=read
# rule that fails the padding reads, which QEMU ignores.)
# Part 1 counts how often each event fires during each write: a chain of set-state rules on the
# event counts in the state, and a read after the write fails with the errno of the inject-error
# rule for that state (k firings: ERRNO[k-1]; a read that succeeds: none), printed as the count.
# Part 2: an error (errno 5, once) on each event of a 512-aligned write across the same two
# clusters (no padding read for the error to fail: D2), each on its own copy: which request
# fails and what each image holds tell the order of the events.
# image-format: qcow2
# image-size: 2M
# image-options: cluster_size=4096
cp "$IMG" "$TEST_DIR/fresh.qcow2"
cp "$IMG" "$TEST_DIR/next.qcow2"
$QEMU_IO -f qcow2 -c "write -q -P 0xa1 600k 4k" "$TEST_DIR/next.qcow2"
cp "$TEST_DIR/next.qcow2" "$TEST_DIR/next-base.qcow2"
$QEMU_IO -c "open -o driver=qcow2,file.align=512 blkdebug::$IMG" -c "write -P 0xb5 552424 1024" -c map \
         -c "read -P 0 548864 3560" -c "read -P 0xb5 552424 1024" -c "read -P 0 553448 3608" -c close \
         -c "open -o driver=qcow2,file.align=512 blkdebug::$TEST_DIR/next.qcow2" -c "write -P 0xa2 617400 2000" -c map \
         -c "read -P 0xa1 614400 3000" -c "read -P 0xa2 617400 2000" -c "read -P 0 619400 3448"
echo "== t.qcow2: $(md5sum < "$IMG")"
echo "== next.qcow2: $(md5sum < "$TEST_DIR/next.qcow2")"

echo "== part 1"
ERRNO=(1 2 5 7 12 13 16 17 19 22 27 28)
TEXT=("Operation not permitted" "No such file or directory" "Input/output error" "Argument list too long"
      "Cannot allocate memory" "Permission denied" "Device or resource busy" "File exists" "No such device"
      "Invalid argument" "File too large" "No space left on device")
events="write_aio cluster_alloc cluster_alloc_space l2_load l2_update refblock_update_part pwritev pwritev_zero
        pwritev_done pwritev_rmw_head pwritev_rmw_after_head pwritev_rmw_tail pwritev_rmw_after_tail cow_read
        cow_write flush_to_os"
args=()
labels=()
for ev in $events; do
  { for k in $(seq 1 12); do
      printf '[set-state]\nevent = "%s"\nstate = "%d"\nnew_state = "%d"\n' "$ev" "$k" "$((k + 1))"
      printf '[inject-error]\nevent = "read_aio"\nstate = "%d"\nerrno = "%d"\n' "$((k + 1))" "${ERRNO[$((k - 1))]}"
    done; } > "$TEST_DIR/$ev.ini"
  cp "$TEST_DIR/fresh.qcow2" "$TEST_DIR/count-$ev-1.qcow2"
  cp "$TEST_DIR/next-base.qcow2" "$TEST_DIR/count-$ev-2.qcow2"
  args+=(-c "open -o driver=qcow2,file.align=512 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/count-$ev-1.qcow2"
         -c "write -q -P 0xb5 552424 1024" -c "read 552424 1024" -c close
         -c "open -o driver=qcow2,file.align=512 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/count-$ev-2.qcow2"
         -c "write -q -P 0xa2 617400 2000" -c "read 617400 2000" -c close)
  labels+=("$ev")
done
i=0
while IFS= read -r line; do
  case "$line" in
    *", "[0-9]*" ops; "*|"[exit "*) continue ;;
    "read failed: "*) n=none
      for k in $(seq 1 12); do [ "${line#read failed: }" = "${TEXT[$((k - 1))]}" ] && n=$k; done ;;
    "read "[0-9]*) n=0 ;;
    *) echo "unexpected: $line"; continue ;;
  esac
  if [ $((i % 2)) -eq 0 ]; then first=$n; else echo "${labels[$((i / 2))]}: $first $n"; fi
  i=$((i + 1))
done < <($QEMU_IO "${args[@]}")
rm -f "$TEST_DIR"/count-*.qcow2

echo "== part 2"
events="cluster_alloc refblock_load refblock_update_part l2_alloc_write l2_update l1_update write_aio
        cluster_alloc_space pwritev_zero pwritev pwritev_done flush_to_os"
args=()
for ev in $events; do
  cp "$TEST_DIR/fresh.qcow2" "$TEST_DIR/$ev.qcow2"
  printf '[inject-error]\nevent = "%s"\nerrno = "5"\nonce = "on"\n' "$ev" > "$TEST_DIR/$ev.ini"
  args+=(-c "open -o driver=qcow2,file.align=512 blkdebug:$TEST_DIR/$ev.ini:$TEST_DIR/$ev.qcow2"
         -c "write -P 0x5a 552448 1024" -c "read -P 0x5a 552448 1024" -c close)
done
$QEMU_IO "${args[@]}"
for ev in $events; do
  echo "== $ev: $(md5sum < "$TEST_DIR/$ev.qcow2")"
done
rm -f "$TEST_DIR/fresh.qcow2" "$TEST_DIR/next-base.qcow2"
