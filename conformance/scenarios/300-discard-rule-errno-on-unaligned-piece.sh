# An inject-error rule that fails one piece of a discard fails the whole discard with its errno,
# whether that piece is aligned to the discard alignment or not; only ENOTSUP (95) is swallowed.
# QEMU 7.2's bdrv_co_pdiscard goes on past -ENOTSUP only ("if (ret && ret != -ENOTSUP) goto out"):
# there is no skipping of an -EINVAL from an unaligned head or tail piece. Here blkdebug's
# opt-discard=65536 splits 'discard 4608 4096' into one unaligned piece, which the rule armed by
# the read's read_aio (iotype discard only, so the read passes) fails. Difftest seed 20261203
# session 7636 (the rule armed by write_aio there).
for e in 22 95 5; do
  echo "== errno $e"
  O="driver=raw,file.driver=blkdebug,file.opt-discard=65536,file.image.driver=file,file.image.filename=$IMG"
  O="$O,file.inject-error.0.event=read_aio,file.inject-error.0.errno=$e,file.inject-error.0.iotype=discard"
  $QEMU_IO --image-opts -c "read 0 512" -c "discard 4608 4096" -c "discard 61440 8192" -c "discard 131072 65536" "$O"
done
