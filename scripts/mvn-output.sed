# Filters Maven's output for ./test (sed -E). The Jazzer fuzz tests' libFuzzer writes its
# progress straight to the JVM's stderr: keep the summary lines and drop that chatter (their
# outcome is in the surefire results). Maven 3.8's console also writes colour resets (ESC[0m)
# even in batch mode; they would land in front of ./test's summary line in a log file.
s/\x1b\[[0-9;]*[A-Za-z]//g
/^(#[0-9]+[[:space:]]|INFO: |WARN: |(java\.lang\.)?IllegalArgumentException: Unsupported class file|MS: |Done [0-9]+ runs|stat::|".*# Uses: [0-9]+$|###### (Recommended|End of recommended) dictionary)/d
