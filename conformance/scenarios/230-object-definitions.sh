# qemu-io's --object: each definition is parsed (keyval or JSON), checked against QEMU's QAPI
# schema of every object type, created in command-line order before the image is opened, and
# the first bad one ends qemu-io with status 1 before anything opens; help texts exit 0.
$QEMU_IO --object help -f raw "$IMG"
$QEMU_IO --object secret,help -c length -f raw "$IMG"
$QEMU_IO --object 'throttle-group,?' -f raw "$IMG"
$QEMU_IO --object iothread,help -f raw "$IMG"
$QEMU_IO --object 'KPkfa]' -c length -f raw "$IMG"
$QEMU_IO --object '' -c length -f raw "$IMG"
$QEMU_IO --object , -c length -f raw "$IMG"
$QEMU_IO --object secret -c length -f raw "$IMG"
$QEMU_IO --object secret,id=s0 -c length -f raw "$IMG"
$QEMU_IO --object secret,id=1bad,data=x -c length -f raw "$IMG"
$QEMU_IO --object iothread,id=i -c length -f raw "$IMG"
$QEMU_IO --object authz-list-file,id=a,filename=x -c length -f raw "$IMG"
$QEMU_IO --object secret,id=s0,data=x,bogus=1,zzz=2,aaa=3 -c length -f raw "$IMG"
$QEMU_IO --object secret,id=s0,data=x,format=bogus -c length -f raw "$IMG"
$QEMU_IO --object tls-creds-anon,id=t,verify-peer=maybe -c length -f raw "$IMG"
$QEMU_IO --object throttle-group,id=t,x-iops-total=0x1z -c length -f raw "$IMG"
$QEMU_IO --object thread-context,id=t,cpu-affinity.1=1 -c length -f raw "$IMG"
$QEMU_IO --object 'secret,id=s0,data.0=x' -c length -f raw "$IMG"
$QEMU_IO --object '{"qom-type":"secret","id":"s0","data":"x"}' -c length -f raw "$IMG"
$QEMU_IO --object '{bad' -c length -f raw "$IMG"
$QEMU_IO --object '{"qom-type":"secret","id":1}' -c length -f raw "$IMG"
$QEMU_IO --object secret,id=s0,data=x --object authz-simple,id=s0,identity=y -c length -f raw "$IMG"
$QEMU_IO --object main-loop,id=m -c length -f raw "$IMG"
$QEMU_IO --object throttle-group,id=t,x-iops-total=1,x-iops-read=1 -c length -f raw "$IMG"
$QEMU_IO --object tls-creds-x509,id=t,dir="$TEST_DIR" -c length -f raw "$IMG"
$QEMU_IO --object secret,id=s,file="$TEST_DIR/nosuch" -c length -f raw "$IMG"
# a secret decrypted with another: AES-256-CBC, key and IV from earlier definitions
printf '0123456789abcdef0123456789abcdef' > "$TEST_DIR/key"
$QEMU_IO --object secret,id=k,file="$TEST_DIR/key" \
  --object secret,id=s,data=abcdefghabcdefgh,keyid=k,iv=AAAAAAAAAAAAAAAAAAAAAA== -c length -f raw "$IMG"
$QEMU_IO --object secret,id=k,file="$TEST_DIR/key" --object secret,id=s,data=abc,keyid=k -c length -f raw "$IMG"
# the option loop's order: whichever bad option comes first is the one reported
$QEMU_IO -t bogus --object secret -c length -f raw "$IMG"
$QEMU_IO --object secret -t bogus -c length -f raw "$IMG"
$QEMU_IO --object help -t bogus -f raw "$IMG"
$QEMU_IO --object secret -f raw "$TEST_DIR/nosuch"
# good objects change nothing: the image opens and the commands run
$QEMU_IO --object secret,id=s0,data=eA==,format=base64 --object authz-list,id=a,policy=allow \
  --object throttle-group,id=t,limits.iops-total=100 --object tls-creds-anon,id=c \
  -c 'write -P 0x5a 0 512' -c 'read -P 0x5a 0 512' -f raw "$IMG"
