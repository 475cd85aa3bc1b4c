#!/bin/sh
# Writes what the real qemu-io 7.2 prints for `--object help` and for `--object CLASS,help` of each
# QOM class it knows (the user-creatable ones and the others whose help is not the type list),
# into the table the shell answers those from.
# usage: scripts/gen-qom-help.sh > engine/src/main/resources/org/blkdebug/engine/config/qom-help.txt
# The non-creatable classes were found by trying every TYPE_ name of QEMU 7.2's source.
set -e
echo "# qemu-io 7.2's '--object help' and '--object CLASS,help' (regenerate: scripts/gen-qom-help.sh)"
qemu-io --object help
for t in $(qemu-io --object help | tail -n +2) authz container event-loop-base fw_cfg-data-generator interface \
    object pr-manager qio-channel qio-channel-buffer qio-channel-command qio-channel-file qio-channel-null \
    qio-channel-socket qio-channel-tls qio-channel-websock qio-dns-resolver qio-net-listener secret_common \
    tls-creds user-creatable; do
  qemu-io --object "$t,help"
done
