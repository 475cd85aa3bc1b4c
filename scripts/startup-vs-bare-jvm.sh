#!/usr/bin/env bash
# Start-up against a bare JVM (docs/performance.md, target 6):
#   A: ./blkdebug -f raw -c 'write 0 4k' blkdebug::IMG        (the launcher, as a user runs it)
#   B: java -XX:AOTCache=bare.aot -cp bare.jar Bare IMG          (a tiny program doing the same
#      I/O: 4 KiB at offset 0 through a FileChannel, then fdatasync, as qemu-io's default
#      writethrough cache does; with its own AOT cache trained on that write)
# Both run alternately in one loop, N rounds after one warm-up each; prints each arm's median,
# minimum and the ratio of the medians. Target: ratio <= 2.
#   scripts/startup-vs-bare-jvm.sh [-n N] [-k]     (-k: keep the temp dir)
# The bare arm gets the launcher's collector (-XX:+UseSerialGC, as a bare JVM on <= 2 cores
# picks anyway); JDK 21-24 get a dynamic CDS archive instead of the AOT cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
bd_find_jdk
java="$JAVA_HOME/bin/java"
n=11 keep=""
while getopts n:k o; do
  case $o in n) n=$OPTARG ;; k) keep=1 ;; *) echo "usage: $0 [-n N] [-k]" >&2; exit 2 ;; esac
done
[ "$n" -ge 1 ] 2>/dev/null || { echo "$0: -n wants a positive count" >&2; exit 2; }

tmp=$(mktemp -d)
[ -n "$keep" ] && echo "temp dir: $tmp" >&2 || trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/Bare.java" <<'EOF'
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

public class Bare {
    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(false);
        }
        System.out.println("wrote 4096/4096 bytes at offset 0");
    }
}
EOF
# the AOT cache takes classes from jars only
mkdir "$tmp/classes"
"$JAVA_HOME/bin/javac" -d "$tmp/classes" "$tmp/Bare.java"
"$JAVA_HOME/bin/jar" cf "$tmp/bare.jar" -C "$tmp/classes" .
truncate -s 64M "$tmp/bare.img" "$tmp/ours.img"
major=$(_bd_java_major "$JAVA_HOME")
if [ "$major" -ge 25 ]; then
  "$java" -XX:+UseSerialGC -XX:AOTCacheOutput="$tmp/bare.aot" -cp "$tmp/bare.jar" Bare "$tmp/bare.img" >/dev/null 2>&1
  bare=("$java" -XX:+UseSerialGC -XX:AOTCache="$tmp/bare.aot" -Xlog:aot=off -Xlog:cds=off -cp "$tmp/bare.jar" Bare "$tmp/bare.img")
else
  "$java" -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$tmp/bare.jsa" -cp "$tmp/bare.jar" Bare "$tmp/bare.img" >/dev/null 2>&1
  bare=("$java" -XX:+UseSerialGC -XX:SharedArchiveFile="$tmp/bare.jsa" -Xlog:cds=off -cp "$tmp/bare.jar" Bare "$tmp/bare.img")
fi
ours=("$root/blkdebug" -f raw -c 'write 0 4k' "blkdebug::$tmp/ours.img")
"${ours[@]}" >/dev/null    # builds and trains the launcher's cache if needed

# Runs "$@" quietly; prints its wall time and its CPU time (user + system), in microseconds.
# The CPU time is the steadier figure on a loaded machine: waiting for a core is not counted.
measure() {
  local TIMEFORMAT='%3R %3U %3S' t
  t=$({ time "$@" >/dev/null 2>&1 || echo FAILED; } 2>&1)
  case $t in *FAILED*) echo "$0: failed: $*" >&2; exit 1 ;; esac
  awk -v t="$t" 'BEGIN {split(t, v, " "); printf "%d %d\n", v[1] * 1e6, (v[2] + v[3]) * 1e6}'
}
measure "${bare[@]}" >/dev/null; measure "${ours[@]}" >/dev/null
aw=() ac=() bw=() bc=()
for ((i = 0; i < n; i++)); do
  read -r w c < <(measure "${ours[@]}"); aw+=("$w"); ac+=("$c")
  read -r w c < <(measure "${bare[@]}"); bw+=("$w"); bc+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
fmt() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1000}'; }
maw=$(median "${aw[@]}") mbw=$(median "${bw[@]}") mac=$(median "${ac[@]}") mbc=$(median "${bc[@]}")
echo "JDK $major, $n rounds alternating, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "blkdebug  wall median $(fmt "$maw") (min $(fmt "$(minimum "${aw[@]}")"))  CPU median $(fmt "$mac")"
echo "bare JVM  wall median $(fmt "$mbw") (min $(fmt "$(minimum "${bw[@]}")"))  CPU median $(fmt "$mbc")"
awk -v a="$maw" -v b="$mbw" -v c="$mac" -v d="$mbc" \
  'BEGIN {printf "ratio of medians: wall %.2fx (target <= 2x), CPU %.2fx\n", a / b, c / d}'
