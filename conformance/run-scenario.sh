#!/usr/bin/env bash
# Runs one conformance scenario and prints its masked output on stdout.
#
#   conformance/run-scenario.sh PROGRAM SCENARIO
#
# PROGRAM is /usr/bin/qemu-io (to make goldens, see regen-goldens.sh) or a launcher of
# org.blkdebug.cli.Main (ConformanceTest writes one). SCENARIO is a bash fragment
# conformance/scenarios/NNN-name.sh. It is sourced with:
#   TEST_DIR  a fresh temp dir (removed afterwards), printed as "TEST_DIR"
#   IMG       $TEST_DIR/t.raw, zero-filled, 1 MiB unless the scenario header has
#             "# image-size: SIZE" (a truncate(1) size such as 4M); with "# image-format: qcow2"
#             (and optionally "# image-options: cluster_size=4096,...") a fresh qcow2 image
#             $TEST_DIR/t.qcow2 of that size instead
#   MKQCOW2   makes more qcow2 images: $MKQCOW2 [-o OPTS] [-b BACKING -F FMT] FILE [SIZE]; it is
#             qemu-img create when PROGRAM is qemu-io, else PROGRAM's own `create` (their images
#             are byte for byte the same)
#   QEMU_IO   a wrapper: timeout + stdbuf -oL PROGRAM "$@" 2>&1, then "[exit N]"
#   SAMPLES   the config-samples directory, printed as "SAMPLES"
# Needs only bash and coreutils (no QEMU), so our tests run where QEMU is not installed.
#
# With CONF_CHECK_OUT=FILE (needs qemu-img), after the scenario every qcow2 image it left in
# TEST_DIR (any file starting with qcow2's magic, in name order) goes through the real
# `qemu-img check`, whose masked output and exit status go to FILE: what the images hold by
# the metadata's own account, leaks and corruptions included. regen-goldens.sh keeps qemu-io's
# as NNN-name.check; ConformanceTest compares ours with it.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 PROGRAM SCENARIO" >&2
  exit 2
fi
PROGRAM=$1
SCENARIO=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
CONF_DIR=$(cd "$(dirname "$0")" && pwd)
SAMPLES=$(cd "$CONF_DIR/../config-samples" && pwd)
# Seconds one program invocation may take; a hang shows up as "[exit 124]".
QEMU_IO_TIMEOUT=${QEMU_IO_TIMEOUT:-20}

export LC_ALL=C LANG=C TZ=UTC
unset QEMU_IO_OPTIONS 2>/dev/null
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bdconf.XXXXXXXX")
trap 'rm -rf "$TEST_DIR"' EXIT
IMG=$TEST_DIR/t.raw

size=$(sed -n 's/^# image-size: *\([0-9A-Za-z]*\).*/\1/p' "$SCENARIO" | head -n1)
format=$(sed -n 's/^# image-format: *\([a-z0-9]*\).*/\1/p' "$SCENARIO" | head -n1)
imgopts=$(sed -n 's/^# image-options: *\([^ ]*\).*/\1/p' "$SCENARIO" | head -n1)

# The wrapper lives outside TEST_DIR so scenarios can list/clean TEST_DIR freely.
WRAP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bdwrap.XXXXXXXX")
trap 'rm -rf "$TEST_DIR" "$WRAP_DIR"' EXIT
QEMU_IO=$WRAP_DIR/qemu-io
cat > "$QEMU_IO" <<WRAPPER
#!/usr/bin/env bash
# stdout line-buffered so stdout and stderr interleave as they are written.
timeout -k 5 $QEMU_IO_TIMEOUT stdbuf -oL $(printf '%q' "$PROGRAM") "\$@" 2>&1
rc=\$?
echo "[exit \$rc]"
WRAPPER
chmod +x "$QEMU_IO"
MKQCOW2=$WRAP_DIR/mkqcow2
if [ "$(basename "$PROGRAM")" = qemu-io ]; then
  creator="qemu-img create -q -f qcow2"
else
  creator="$(printf '%q' "$PROGRAM") create -q -f qcow2"
fi
cat > "$MKQCOW2" <<MK
#!/usr/bin/env bash
exec $creator "\$@"
MK
chmod +x "$MKQCOW2"
if [ "$format" = qcow2 ]; then
  IMG=$TEST_DIR/t.qcow2
  "$MKQCOW2" ${imgopts:+-o "$imgopts"} "$IMG" "${size:-1M}" || echo "run-scenario: could not create $IMG" >&2
else
  truncate -s "${size:-1M}" "$IMG"
fi
export TEST_DIR IMG QEMU_IO SAMPLES MKQCOW2

# _filter_qemu_io (qemu-iotests common.filter) for the statistics line, the same
# for -C lines (bytes,ops,time,bytes/s,ops/s), and the temp/sample dirs.
mask() {
  sed -u -e "s/[0-9]* ops\; [0-9/:. sec]* ([0-9/.inf]* [EPTGMKiBbytes]*\/sec and [0-9/.inf]* ops\/sec)/X ops\; XX:XX:XX.X (XXX YYY\/sec and XXX ops\/sec)/" \
      -e 's/^\([0-9][0-9]*\),\([0-9][0-9]*\),[0-9]*:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9],[0-9.inf]*,[0-9.inf]*$/\1,X,XX:XX:XX.X,XXX,XXX/' \
      -e "s#$TEST_DIR#TEST_DIR#g" \
      -e "s#$SAMPLES#SAMPLES#g"
}

( cd "$TEST_DIR" && . "$SCENARIO" ) 2>&1 < /dev/null | mask

if [ -n "${CONF_CHECK_OUT:-}" ]; then
  : > "$CONF_CHECK_OUT"
  (cd "$TEST_DIR" && find . -type f | LC_ALL=C sort) | while IFS= read -r f; do
    [ "$(head -c 4 "$TEST_DIR/$f" | od -An -tx1 | tr -d ' \n')" = 514649fb ] || continue
    echo "== qemu-img check ${f#./}"
    (cd "$TEST_DIR" && timeout -k 5 "$QEMU_IO_TIMEOUT" qemu-img check -f qcow2 "$f" 2>&1)
    echo "[exit $?]"
  done 2>&1 | mask >> "$CONF_CHECK_OUT"
fi
