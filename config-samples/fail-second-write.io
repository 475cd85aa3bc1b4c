write -P 0x11 0 512
write -P 0x22 512 512
read -P 0x11 0 512
