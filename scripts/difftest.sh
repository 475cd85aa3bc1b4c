#!/usr/bin/env bash
# The differential tester by hand: generated qemu-io sessions through the real qemu-io 7.2 and
# ours, compared; differences shrunk and written as conformance scenarios (docs/difftest.md).
#
#   scripts/difftest.sh -n 20000 [--seed S] [--first I] [--jobs J] [--out DIR] [--no-shrink]
#
# Builds engine and cli (tests compiled, not run) unless DIFFTEST_NO_BUILD=1, then runs
# org.blkdebug.cli.difftest.DiffTester. Exit status 0 when no new difference was found.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/find-jdk.sh
bd_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"
if [ -z "${DIFFTEST_NO_BUILD:-}" ]; then
  mvn -B -q -ntp -pl engine,cli -am package -DskipTests 2>&1 | sed -u -E -f scripts/mvn-output.sed >&2
fi
cp="cli/target/test-classes:cli/target/classes:engine/target/classes"
for j in cli/target/lib/*.jar; do cp="$cp:$j"; done
# One carrier thread for the request threads on a small machine, as ./blkdebug runs the shell.
opts=(${DIFFTEST_JAVA_OPTS:-} -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED)
if [ "$(nproc 2>/dev/null || echo 4)" -le 2 ]; then
  opts+=(-Djdk.virtualThreadScheduler.parallelism=1)
fi
exec java "${opts[@]}" -cp "$cp" org.blkdebug.cli.difftest.DiffTester "$@"
