# qemu-io warns about a probed raw image (raw_open) only when the node is writable: not with -r.
# The warning comes at the raw node's open, so a check of the opened graph that fails afterwards
# (O_DIRECT's probed alignment against the image length) prints it first.
# image-size: 1000000
$QEMU_IO -r -c 'write -P 1 0 512' -c 'length' "$IMG"
$QEMU_IO -c 'length' "$IMG"
$QEMU_IO -t none -c 'length' "$IMG"
$QEMU_IO -t none -r -c 'length' "$IMG"
