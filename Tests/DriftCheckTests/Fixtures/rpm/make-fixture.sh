#!/usr/bin/env bash
# Rebuilds rpmdb.sqlite with the real rpm tools (Debian package `rpm`, RPM 4.18, sqlite backend):
# builds two small noarch packages with rpmbuild and installs them into a scratch root with `rpm --root`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{SPECS,SOURCES,BUILD,RPMS,SRPMS,root}
cat >"$work/SPECS/hello-tool.spec" <<'SPEC'
Name: hello-tool
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: fixture package with a binary and a config file
License: MIT
BuildArch: noarch
%description
fixture
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/hello
printf '#!/bin/sh\necho hello\n' > %{buildroot}/usr/bin/hello-tool
chmod 755 %{buildroot}/usr/bin/hello-tool
echo 'greeting=hi' > %{buildroot}/etc/hello/hello.conf
%files
/usr/bin/hello-tool
%dir /etc/hello
%config(noreplace) /etc/hello/hello.conf
SPEC
cat >"$work/SPECS/tiny-lib.spec" <<'SPEC'
Name: tiny-lib
Version: 0.9~rc1
Release: 1.fc40
Summary: fixture package with a tilde version
License: MIT
BuildArch: noarch
%description
fixture
%install
mkdir -p %{buildroot}/usr/share/tiny
echo data > %{buildroot}/usr/share/tiny/data.txt
%files
/usr/share/tiny/data.txt
SPEC
for spec in hello-tool tiny-lib; do
  rpmbuild --quiet --define "_topdir $work" -bb "$work/SPECS/$spec.spec"
done
rpm --root "$work/root" --dbpath /var/lib/rpm --initdb
rpm --root "$work/root" --dbpath /var/lib/rpm -i --nodeps --noscripts --ignoreos --ignorearch "$work"/RPMS/noarch/*.rpm
cp "$work/root/var/lib/rpm/rpmdb.sqlite" "$here/rpmdb.sqlite"
rpm --root "$work/root" --dbpath /var/lib/rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\n' | sort >"$here/rpm-qa.txt"
rpm --root "$work/root" --dbpath /var/lib/rpm -qa --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' | sort >"$here/rpm-files.txt"
