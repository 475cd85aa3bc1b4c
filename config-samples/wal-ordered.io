write -P 97 512 512
crash-states --check sh config-samples/wal-check.sh {} 0
flush
write -P 72 0 512
crash-states --check sh config-samples/wal-check.sh {} 0
flush
crash-states --check sh config-samples/wal-check.sh {} 1
write -P 98 1536 512
flush
write -P 72 1024 512
crash-states --check sh config-samples/wal-check.sh {} 1
flush
crash-states --check sh config-samples/wal-check.sh {} 2
