# Events of an unaligned write with align=4k: rules on pwritev_rmw_head / _tail /
# after_head / after_tail fail only writes that need that padding; aligned writes do not
# fire them. Each rule is once so the next write shows the next case.
opts="driver=raw,file.driver=blkdebug,file.align=4k,file.image.driver=file,file.image.filename=$IMG"
for ev in pwritev_rmw_head pwritev_rmw_after_head pwritev_rmw_tail pwritev_rmw_after_tail; do
  echo "== $ev"
  $QEMU_IO --image-opts -t writeback -c 'write 0 4k' -c 'write 0 512' -c 'write 512 3584' -c 'write 512 512' -c 'write 4000 200' \
    "$opts,file.inject-error.0.event=$ev,file.inject-error.0.errno=28,file.inject-error.0.once=on,file.inject-error.0.iotype=write"
done
