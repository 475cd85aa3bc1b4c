#!/usr/bin/env bash
# Every `blkdebug serve` vs qemu-nbd comparison (QemuNbdDifferentialTest), not only ./test's sample,
# plus the serve tests that start it as scripts do. Needs qemu-utils, libnbd-bin (nbdinfo, nbdcopy).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh
bd_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"
mvn -B -q -ntp -pl cli -am -Djazzer.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='QemuNbdDifferentialTest,ServeScriptTest,ServeSessionTest' -Dtests.serve.all=true test "$@"
cat cli/target/surefire-reports/*Serve*.txt cli/target/surefire-reports/*QemuNbd*.txt | grep 'Tests run'
