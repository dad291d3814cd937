#!/usr/bin/env bash
# Build the host binary operators install: release, Swift runtime linked statically, SQLite and libstdc++ linked
# statically, stripped. It needs only glibc, libcrypto and libssl (both in libssl3) at run time.
#
#   bash Packaging/build-static.sh [OUTDIR]        (default OUTDIR: dist)
#   PRODUCTS="driftcheck driftcheck-collector" bash Packaging/build-static.sh dist   (the collector too, same way)
#
# Writes OUTDIR/driftcheck; prints its size and `ldd`, and fails if it needs any library but glibc's and libssl3's.
# Package.swift reads DRIFTCHECK_STATIC_LIBDIR (see there); plain `swift build` / `swift test` are unaffected.
# Environment: SCRATCH (SwiftPM scratch path, default .build-release), JOBS (default 1), NICE (default 19).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$repo/dist}")
scratch=${SCRATCH:-$repo/.build-release}
jobs=${JOBS:-1}
nice=${NICE:-19}
triple_dir=/usr/lib/x86_64-linux-gnu

die() { echo "build-static: $*" >&2; exit 1; }

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null 2>&1 || die "swift is not on PATH"
[ -f "$triple_dir/libsqlite3.a" ] || die "$triple_dir/libsqlite3.a is missing: apt-get install libsqlite3-dev"
[ -f "$triple_dir/libz.a" ] || die "$triple_dir/libz.a is missing: apt-get install zlib1g-dev"
libstdcxx=$(gcc -print-file-name=libstdc++.a 2>/dev/null || true)
if [ ! -f "$libstdcxx" ]; then
    libstdcxx=$(find /usr/lib/gcc/x86_64-linux-gnu -name libstdc++.a 2>/dev/null | sort -V | tail -n 1)
fi
[ -f "$libstdcxx" ] || die "libstdc++.a is missing: apt-get install libstdc++-12-dev"

# A directory holding only static archives: SQLite is linked from it by path, and it is searched before the
# system's directories, so the Swift runtime's -lstdc++ finds the archive.
libdir=$scratch/static-libs
mkdir -p "$libdir"
ln -sfn "$triple_dir/libsqlite3.a" "$libdir/libsqlite3.a"
ln -sfn "$triple_dir/libz.a" "$libdir/libz.a"
ln -sfn "$libstdcxx" "$libdir/libstdc++.a"
export DRIFTCHECK_STATIC_LIBDIR=$libdir

cd "$repo"
echo "build-static: swift build -c release --static-swift-stdlib (scratch $scratch, -j $jobs)" >&2
# --disable-local-rpath: no RUNPATH $ORIGIN (there is no library beside the binary to find).
build=(swift build -c release --static-swift-stdlib --disable-local-rpath --scratch-path "$scratch")
for product in ${PRODUCTS:-driftcheck}; do
    nice -n "$nice" "${build[@]}" -j "$jobs" --product "$product"
    built=$("${build[@]}" --show-bin-path)/$product
    [ -x "$built" ] || die "no binary at $built"

    mkdir -p "$out"
    tmp=$(mktemp "$out/.$product.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    cp "$built" "$tmp"
    strip --strip-all "$tmp"
    chmod 0755 "$tmp"
    mv -f "$tmp" "$out/$product"
    trap - EXIT

    echo "build-static: $out/$product: $(stat -c %s "$out/$product") bytes ($(du -h "$out/$product" | cut -f1))"
    ldd "$out/$product"
    # Anything but the glibc libraries, libcrypto and libssl (TLS for --push) means a dynamic dependency slipped in.
    unexpected=$(ldd "$out/$product" | awk '{print $1}' |
        grep -Ev '^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|lib(c|m|dl|pthread|rt)\.so\.[0-9]+|lib(crypto|ssl)\.so\.3)$' ||
        true)
    [ -z "$unexpected" ] || die "$product: unexpected dynamic dependencies: $unexpected"
    "$out/$product" --version
done
