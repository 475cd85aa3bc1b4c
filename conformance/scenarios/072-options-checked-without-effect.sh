# Options that change nothing in our port are still checked as qemu-io 7.2 checks them:
# -k / -i native / open -k / file.aio=native need cache.direct=on (-t none, directsync, -n),
# checked once the file is open; -U needs read-only; -t, -i and -d values are checked in the
# order the options come; file.aio and file.locking take QEMU's values.
$QEMU_IO -k -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -i native -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -k -i threads -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -k -t writethrough -f raw -c 'read 0 512' blkdebug::"$IMG"
$QEMU_IO -k -t none -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -k -t directsync -f raw -c 'read 0 512' blkdebug::"$IMG"
$QEMU_IO -k -f raw -c 'read 0 512' "$TEST_DIR/missing"
$QEMU_IO -i threads -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -i io_uring -f raw -c 'read 0 512' "$IMG"
$QEMU_IO --aio bogus -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -i NATIVE -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -i bogus -t bogus -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -t bogus -i bogus -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -d bogus --aio=bogus -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -U -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -U -f raw -c 'read 0 512' "$TEST_DIR/missing"
$QEMU_IO -U -r -f raw -c 'read 0 512' "$IMG"
$QEMU_IO -U -k -f raw -c 'read 0 512' blkdebug::"$IMG"
echo "== open"
$QEMU_IO -c "open -k -o driver=raw $IMG" -c 'read 0 512' -c "open -k -n -o driver=raw $IMG" -c 'read 0 512' -c close \
  -c "open -i native -t none -o driver=raw $IMG" -c close -c "open -i bogus $IMG" -c "open -i io_uring -o driver=raw $IMG" \
  -c close -c "open -U -o driver=raw $IMG" -c "open -r -U -o driver=raw $IMG" -c 'read 0 512'
echo "== file.aio, file.locking"
$QEMU_IO -c "open -o driver=raw,file.aio=native $IMG" -c "open -t none -o driver=raw,file.aio=native $IMG" -c close \
  -c "open -o driver=raw,file.aio=threads,file.locking=off $IMG" -c 'read 0 512'
$QEMU_IO --image-opts -c 'read 0 512' "driver=raw,file.filename=$IMG,file.aio=native"
$QEMU_IO --image-opts -c 'read 0 512' "driver=raw,file.filename=$IMG,file.aio=bogus"
$QEMU_IO --image-opts -c 'read 0 512' "driver=raw,file.filename=$IMG,file.locking=bogus"
$QEMU_IO --image-opts -c 'read 0 512' "driver=raw,file.driver=blkdebug,file.image.filename=$IMG,file.image.aio=native"
$QEMU_IO -t none --image-opts -c 'read 0 512' "driver=raw,file.driver=blkdebug,file.image.filename=$IMG,file.image.aio=native"
$QEMU_IO -f raw -c 'read 0 512' "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"file\",\"filename\":\"$IMG\",\"aio\":5}}"
