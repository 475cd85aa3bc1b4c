flush
write -P 0x55 0 4k
flush
read -P 0x55 0 4k
