#!/bin/bash
# Regenerates the OCI / flat-tar fixtures of this folder with real tools (Debian 12 packages umoci, skopeo,
# tar, libarchive-tools, libcap2-bin, gzip, python3). Needs root (ownership, setuid, a device node, security.capability).
#
#   apt-get install -y umoci skopeo libarchive-tools libcap2-bin
#   sudo bash Tests/DriftCheckTests/Fixtures/oci/make-fixture.sh
#
# Everything is built in $WORK (default /tmp/oci-work/build, wiped first) and the results are copied next to this
# script. Timestamps are fixed, so the tree listings are reproducible; the OCI blobs are too as long as the umoci
# version is the same (umoci writes gzip without a timestamp; configs get fixed "created" values).
set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=1700000000

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/oci-work/build}
IMG="$WORK/layout"
TAG=fixture
T1=1700000000   # 2023-11-14T22:13:20Z: every entry of layer 1
T2=1700086400   # +1 day: what layer 2 changes
T3=1700172800   # +2 days: what layer 3 inserts
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
for tool in umoci skopeo tar bsdtar gzip setcap python3 mkfifo mknod; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

stamp() { # stamp TIME PATH... : set mtime (and atime) without following symlinks
    local t=$1; shift
    touch -h -d "@$t" "$@"
}
fill() { # fill SIZE PATH : deterministic printable content of exactly SIZE bytes
    python3 -c 'import sys; n=int(sys.argv[1]); p=(sys.argv[2]+"\n").encode(); sys.stdout.buffer.write((p*(n//len(p)+1))[:n])' "$1" "$2" >"$3"
}

# ---------------------------------------------------------------------------------------------------------------
# Layer 1: the base tree, made by hand in an umoci bundle and packed with `umoci repack`.
umoci init --layout "$IMG"
umoci new --image "$IMG:$TAG"
umoci config --image "$IMG:$TAG" --no-history --created 2023-11-14T22:13:20Z \
    --config.workingdir / --config.cmd /bin/sh --architecture amd64 --os linux
umoci unpack --image "$IMG:$TAG" bundle
R=bundle/rootfs

mkdir -p $R/{bin,dev,etc/driftcheck,etc/app.d,etc/obsolete.d,home/alice,opt/big-ids,run,srv/modes,srv/was-dir,tmp}
mkdir -p $R/usr/{lib,share/data,bin} $R/var/log
LONG=$(printf 'a-file-name-longer-than-one-hundred-bytes-%s' "$(printf 'x%.0s' {1..80})").txt   # 126 bytes
D60=$(printf 'd%.0s' {1..60})
DEEP="deep/$D60-1/$D60-2/$D60-3/$D60-4"        # 4 + 4*63 = 256 bytes; with /leaf.txt 265 (266 from the root "/")
mkdir -p "$R/$DEEP"
UNI='café-ünïcödé-文字.conf'

# regular files of several sizes, incl. empty and the 512-byte block boundary
: >$R/etc/empty.conf
fill 1 x $R/usr/share/data/one-byte
fill 511 "five hundred eleven" $R/usr/share/data/size-511
fill 512 "exactly one tar block" $R/usr/share/data/size-512
fill 513 "one byte past a block" $R/usr/share/data/size-513
fill 4096 "libfoo shared object stand-in" $R/usr/lib/libfoo.so.1
fill 1500 "#!/bin/sh busybox stand-in" $R/bin/busybox
fill 300 "tool" $R/bin/tool
fill 200 "pinger needs cap_net_raw" $R/bin/pinger
fill 180 "setuid helper" $R/bin/su-helper
fill 170 "setgid helper" $R/bin/wall-helper
fill 90 "pair" $R/usr/bin/pair-a
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' >$R/etc/passwd
printf 'root:*:19000:0:99999:7:::\nalice:!:19000:0:99999:7:::\n' >$R/etc/shadow
printf 'fixture-oci:layer1\n' >$R/etc/driftcheck/image-id
printf 'old setting\n' >$R/etc/old.conf
printf 'a\n' >$R/etc/obsolete.d/a.conf
printf 'b\n' >$R/etc/obsolete.d/b.conf
printf 'default\n' >$R/etc/app.d/10-default.conf
printf 'extra\n' >$R/etc/app.d/20-extra.conf
printf 'unicode name\n' >"$R/etc/$UNI"
printf 'long name\n' >"$R/usr/share/data/$LONG"
printf 'deep file\n' >"$R/$DEEP/leaf.txt"
printf 'alice notes\n' >$R/home/alice/notes.txt
printf 'big ids\n' >$R/opt/big-ids/owned-by-4000000
printf 'log line\n' >$R/var/log/app.log
printf 'was a file\n' >$R/srv/was-file
printf 'child of was-dir\n' >$R/srv/was-dir/child
for m in 0000 0777 0604 0421 1755 6750; do printf 'mode %s\n' $m >$R/srv/modes/mode-$m; done

# hard link pairs: bin/tool + bin/tool-hardlink (layer 2 deletes bin/tool), usr/bin/pair-a + pair-b (kept)
ln $R/bin/tool $R/bin/tool-hardlink
ln $R/usr/bin/pair-a $R/usr/bin/pair-b
# symlinks: relative, absolute (dangling on purpose: the target is not in the image)
ln -s busybox $R/bin/sh
ln -s libfoo.so.1 $R/usr/lib/libfoo.so
ln -s /usr/share/zoneinfo/UTC $R/etc/localtime
# special files
mkfifo -m 0620 $R/run/initctl
mknod -m 0666 $R/dev/null c 1 3

# owners first: chown(2) clears setuid/setgid and security.capability
chown 0:42 $R/etc/shadow
chown -R 1000:1000 $R/home/alice
chown 0:5 $R/bin/wall-helper
chown 1000:4 $R/var/log/app.log
chown -R 4000000:4000000 $R/opt/big-ids   # > 2097151 (0o7777777): no longer fits the 7 octal digits of ustar
chown 65534:65534 $R/srv/modes/mode-0421
# modes
chmod 0755 $R $R/bin $R/dev $R/etc $R/etc/driftcheck $R/usr $R/usr/* $R/var $R/var/log $R/srv $R/srv/was-dir $R/opt
chmod 0755 $R/opt/big-ids $R/run $R/home $R/etc/app.d $R/etc/obsolete.d $R/usr/share/data
chmod -R u=rwx,go=rx $R/deep
chmod 0755 $R/bin/busybox $R/bin/tool $R/bin/pinger $R/usr/lib/libfoo.so.1
chmod 4755 $R/bin/su-helper
chmod 2711 $R/bin/wall-helper
chmod 0644 $R/etc/*.conf "$R/etc/$UNI" $R/etc/passwd $R/etc/driftcheck/image-id $R/etc/app.d/* $R/etc/obsolete.d/*
chmod 0644 $R/usr/share/data/* $R/usr/bin/pair-a $R/srv/was-file $R/srv/was-dir/child "$R/$DEEP/leaf.txt"
chmod 0640 $R/etc/shadow $R/var/log/app.log
chmod 0700 $R/home/alice
chmod 0600 $R/home/alice/notes.txt
chmod 0444 $R/opt/big-ids/owned-by-4000000
chmod 1777 $R/tmp
chmod 0711 $R/srv/modes
for m in 0000 0777 0604 0421 1755 6750; do chmod $m $R/srv/modes/mode-$m; done
# capability (after chown)
setcap cap_net_raw+ep $R/bin/pinger

find $R -depth -exec touch -h -d "@$T1" {} +
umoci repack --image "$IMG:$TAG" --refresh-bundle --history.created 2023-11-14T22:13:20Z \
    --history.created_by 'make-fixture.sh layer 1 (umoci repack)' --history.comment 'base tree' bundle

# ---------------------------------------------------------------------------------------------------------------
# Layer 2: modify, delete (whiteouts), type changes, additions; again `umoci repack` of the same bundle.
printf 'fixture-oci:final\n' >$R/etc/driftcheck/image-id                   # content change
chmod 0600 $R/etc/passwd                                                  # metadata-only change
chown 1000:1000 $R/srv/modes/mode-0604                                    # owner-only change
rm $R/etc/old.conf                                                        # -> etc/.wh.old.conf
rm -r $R/etc/obsolete.d                                                   # -> whiteout of a whole directory
rm $R/bin/tool                                                            # the hard link's first name goes away
rm $R/srv/was-file && mkdir -m 0750 $R/srv/was-file && printf 'now a dir\n' >$R/srv/was-file/inside   # file -> dir
rm -r $R/srv/was-dir && ln -s /srv/modes $R/srv/was-dir                   # dir -> symlink
mkdir -p -m 0755 $R/usr/local/bin
fill 700 "new tool in layer 2" $R/usr/local/bin/new-tool && chmod 0755 $R/usr/local/bin/new-tool
printf 'new\n' >$R/etc/new.conf && chmod 0644 $R/etc/new.conf
stamp $T2 $R/etc/driftcheck/image-id $R/etc/passwd $R/srv/modes/mode-0604 $R/srv/was-file/inside $R/srv/was-file \
    $R/srv/was-dir $R/usr/local/bin/new-tool $R/usr/local/bin $R/usr/local $R/etc/new.conf \
    $R/etc/driftcheck $R/etc $R/bin $R/srv $R/usr
umoci repack --image "$IMG:$TAG" --refresh-bundle --history.created 2023-11-15T22:13:20Z \
    --history.created_by 'make-fixture.sh layer 2 (umoci repack)' --history.comment 'modify, delete, retype, add' bundle

# ---------------------------------------------------------------------------------------------------------------
# Layer 3: replace the contents of etc/app.d with `umoci insert --opaque` (an opaque whiteout `.wh..wh..opq`
# plus the new children in the same layer), and whiteout var/log/app.log with `umoci insert --whiteout`
# (layer 4: insert makes one layer per call).
mkdir -p newappd
printf 'replaced\n' >newappd/30-new.conf
chmod 0644 newappd/30-new.conf
chmod 0750 newappd
stamp $T3 newappd/30-new.conf newappd
umoci insert --image "$IMG:$TAG" --opaque --history.created 2023-11-16T22:13:20Z \
    --history.created_by 'make-fixture.sh layer 3 (umoci insert --opaque newappd /etc/app.d)' newappd /etc/app.d
umoci insert --image "$IMG:$TAG" --whiteout --history.created 2023-11-16T22:13:20Z \
    --history.created_by 'make-fixture.sh layer 4 (umoci insert --whiteout /var/log/app.log)' /var/log/app.log
umoci config --image "$IMG:$TAG" --no-history --created 2023-11-16T22:13:20Z
umoci gc --layout "$IMG"

# ---------------------------------------------------------------------------------------------------------------
# The final tree, as umoci applies the layers (as root: owners, modes, devices and xattrs kept).
umoci unpack --image "$IMG:$TAG" final
F=final/rootfs
(cd $F && find . -printf '%y %m %U %G %s %l %p\n' | sort) >expected-tree.txt

# Flat tars of the final tree.
#  flat.tar             docker export style, written by docker-export.py the way moby's pkg/archive + Go archive/tar
#                       do it (no GNU/BSD tool writes that exact layout; see the header of docker-export.py).
#  flat-gnu.tar.gz      GNU tar --format=gnu: ./ prefix, root entry, ././@LongLink 'L' entries, base-256 ids, no xattrs.
#  flat-pax.tar.gz      GNU tar --format=posix --xattrs: ./PaxHeaders/ entries, SCHILY.xattr.security.capability.
#  flat-bsdtar.tar.gz   bsdtar (libarchive) --format=pax --xattrs: ./PaxHeader/ entries with atime/ctime records,
#                       LIBARCHIVE.xattr.* (URL-encoded name, unpadded base64 value) next to SCHILY.xattr.*,
#                       octal fields ending in space+NUL; readdir order. Its atime/ctime records change every run.
python3 "$HERE/docker-export.py" "$F" flat.tar
tar --format=gnu --numeric-owner --sort=name -C $F -cf - . | gzip -n -9 >flat-gnu.tar.gz
tar --format=posix --numeric-owner --sort=name --xattrs --xattrs-include='security.capability' \
    --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' -C $F -cf - . | gzip -n -9 >flat-pax.tar.gz
bsdtar --format=pax --xattrs --numeric-owner -cf - -C $F . | gzip -n -9 >flat-bsdtar.tar.gz
python3 "$HERE/describe-tree.py" "$F" >expected-details.txt

# The image as one file: an OCI layout in a tar (skopeo oci-archive) and `docker save` format (skopeo
# docker-archive: manifest.json, uncompressed layer tars named by diff id, legacy */layer.tar symlinks), gzipped.
skopeo --insecure-policy copy --quiet "oci:$IMG:$TAG" "oci-archive:$WORK/image-oci.tar:$TAG"
skopeo --insecure-policy copy --quiet "oci:$IMG:$TAG" "docker-archive:$WORK/image-docker.tar:driftcheck/fixture:latest"
gzip -n -9 <image-docker.tar >image-docker-archive.tar.gz

# Timestamps outside the plain octal range, with GNU tar in both formats (blocking factor 1: no 10 KiB padding).
# ext4 clamps a far-future mtime to 2446-05-10T22:38:55Z (15032385535).
mkdir times
printf 'a\n' >times/frac && touch -d @1700000000.123456789 times/frac
printf 'b\n' >times/negative && touch -d @-1 times/negative
printf 'c\n' >times/neg-frac && touch -d @-1.25 times/neg-frac
printf 'd\n' >times/future && touch -d @16725225600 times/future
chmod 0644 times/* && chmod 0755 times && touch -d @$T1 times
tar --format=gnu -b1 --numeric-owner --sort=name -C times -cf times-gnu.tar .
tar --format=posix -b1 --numeric-owner --sort=name --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
    -C times -cf times-pax.tar .
(echo "# name, mtime as stat(2) has it = what times-pax.tar says (exact signed decimal), what times-gnu.tar says"
 echo "# (whole seconds, rounded down: GNU tar stores floor(mtime), base-256 when it does not fit 11 octal digits)"
 for f in frac future neg-frac negative; do
     exact=$(stat -c %.9Y times/$f)
     printf '%s %s %s\n' $f "$exact" "$(python3 -c 'import sys,math,decimal; print(math.floor(decimal.Decimal(sys.argv[1])))' "$exact")"
 done) >times-expected.txt

# ---------------------------------------------------------------------------------------------------------------
# Copy the results next to this script.
rm -rf "$HERE/oci-layout"
cp -r "$IMG" "$HERE/oci-layout"
chmod -R u=rwX,go=rX "$HERE/oci-layout"
# (docker-export-real.tar.gz and docker-save-real.tar.gz come from make-docker-export.sh and are kept)
cp expected-tree.txt expected-details.txt flat.tar flat-gnu.tar.gz flat-pax.tar.gz flat-bsdtar.tar.gz image-oci.tar \
    image-docker-archive.tar.gz times-gnu.tar times-pax.tar times-expected.txt "$HERE/"
# ---------------------------------------------------------------------------------------------------------------
# Self-check: every form of the image decodes, with the rules of FORMAT-NOTES.md, to the unpacked tree.
check() { # check LABEL EXPECTED ACTUAL
    if diff -u "$2" "$3" >"$WORK/check.diff"; then echo "check: $1: same tree"; else
        echo "check: $1: DIFFERENT" >&2; cat "$WORK/check.diff" >&2; exit 1; fi
}
RR="python3 $HERE/reference-reader.py"
cd "$HERE"
$RR oci oci-layout >"$WORK/r1" && check "oci-layout/" expected-details.txt "$WORK/r1"
$RR oci image-oci.tar >"$WORK/r2" && check image-oci.tar expected-details.txt "$WORK/r2"
$RR docker image-docker-archive.tar.gz >"$WORK/r3" && check image-docker-archive.tar.gz expected-details.txt "$WORK/r3"
$RR flat flat-pax.tar.gz >"$WORK/r4" && check flat-pax.tar.gz expected-details.txt "$WORK/r4"
$RR flat flat-bsdtar.tar.gz >"$WORK/r5" && check flat-bsdtar.tar.gz expected-details.txt "$WORK/r5"
# docker export has no root entry: the reader's stand-in root (0755 0 0, mtime 0) differs in its mtime only
$RR flat flat.tar | sed '2s/\t0\.000000000\t/\t1700000000.000000000\t/' >"$WORK/r6" && check flat.tar expected-details.txt "$WORK/r6"
# GNU format cannot hold xattrs: no capability column
$RR flat flat-gnu.tar.gz | cut -f1-11 >"$WORK/r7" && cut -f1-11 expected-details.txt >"$WORK/e7" && check flat-gnu.tar.gz "$WORK/e7" "$WORK/r7"
# The real docker files (make-docker-export.sh; not remade here): still the same image?
if [ -f docker-save-real.tar.gz ]; then
    $RR docker docker-save-real.tar.gz >"$WORK/r8" && check docker-save-real.tar.gz expected-details.txt "$WORK/r8"
fi
if [ -f docker-export-real.tar.gz ]; then
    INIT='^/(\.dockerenv|dev/console|dev/pts|dev/shm|etc/hostname|etc/hosts|etc/mtab|etc/resolv\.conf|proc|sys)\t'
    $RR flat docker-export-real.tar.gz | grep -Pv "$INIT" | cut -f1-7,9- >"$WORK/r9"
    cut -f1-7,9- expected-details.txt >"$WORK/e9"
    check "docker-export-real.tar.gz (without docker's init layer and mtimes)" "$WORK/e9" "$WORK/r9"
fi
for t in pax gnu; do
    $RR flat times-$t.tar | awk -F'\t' 'NR > 2 {print substr($1, 2), $8}' >"$WORK/t-$t"
done
awk '!/^#/ {print $1, $2}' times-expected.txt | diff - "$WORK/t-pax" >/dev/null && echo "check: times-pax.tar: exact times"
awk '!/^#/ {print $1, $3}' times-expected.txt | sed 's/ \(-\?[0-9]*\)$/ \1.000000000/' | diff - "$WORK/t-gnu" >/dev/null \
    && echo "check: times-gnu.tar: whole seconds"
# Hand-crafted corner cases (make-adversarial.py): every "refuse" must be refused; every "accept" case gets its
# tree recorded in adversarial/NAME.expected (review a changed one by hand: it is the rule, not a regression).
python3 "$HERE/make-adversarial.py" "$HERE/adversarial"
cd "$HERE/adversarial"
while IFS=$'\t' read -r name outcome rule; do
    case $name in \#*) continue ;; esac
    kind=flat; case $name in *.oci) kind=oci ;; esac
    if $RR $kind "$name" >"$WORK/adv.out" 2>"$WORK/adv.err"; then got=accept; else got=refuse; fi
    [ "$got" = "$outcome" ] || { echo "check: adversarial/$name: $got, expected $outcome ($rule)" >&2; exit 1; }
    if [ "$got" = accept ]; then cp "$WORK/adv.out" "${name%%.*}.expected"; fi
done <expected.txt
echo "check: adversarial/: $(grep -c $'\trefuse\t' expected.txt) refused, $(grep -c $'\taccept\t' expected.txt) accepted as listed"
cd "$HERE"
echo "done: $(du -sb "$HERE" | cut -f1) bytes in $HERE"
