write -P 0x33 8193 511
write -P 0x44 8192 512
read -P 0 8192 1
write -P 0x44 8192 512
read -P 0x44 8192 512
