break read_aio P
break write_aio P
aio_write -P 0x71 0 4k
wait_break P
length
remove_break P
aio_flush
aio_read -P 0x71 0 4k
aio_flush
read -P 0x71 0 4k
