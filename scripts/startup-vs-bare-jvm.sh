#!/usr/bin/env bash
# Start-up against a bare JVM (docs/performance.md, target 6):
#   A: ./blkdebug -f raw -c 'write 0 4k' blkdebug::IMG        (the launcher, as a user runs it)
#   B: java -XX:AOTCache=bare.aot -cp DIR Bare IMG               (a tiny program writing the same
#      4 KiB at offset 0 through a FileChannel, with its own AOT cache trained on that write)
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

ms() {  # runs "$@" quietly, prints its wall time in microseconds
  local t0 t1
  t0=${EPOCHREALTIME/./}
  "$@" >/dev/null || { echo "$0: failed: $*" >&2; exit 1; }
  t1=${EPOCHREALTIME/./}
  echo $((t1 - t0))
}
ms "${bare[@]}" >/dev/null; ms "${ours[@]}" >/dev/null
a=() b=()
for ((i = 0; i < n; i++)); do
  a+=("$(ms "${ours[@]}")")
  b+=("$(ms "${bare[@]}")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
ma=$(median "${a[@]}") mb=$(median "${b[@]}")
fmt() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1000}'; }
echo "JDK $major, $n rounds alternating, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "blkdebug  median $(fmt "$ma")  min $(fmt "$(minimum "${a[@]}")")"
echo "bare JVM  median $(fmt "$mb")  min $(fmt "$(minimum "${b[@]}")")"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "ratio of medians %.2fx (target <= 2x)\n", a / b}'
