#!/usr/bin/env python3
"""Hand-crafted hostile / corner-case archives for the tar reader, written with Python's tarfile (plus byte
surgery where tarfile refuses to write something broken). No real tool produces these on purpose; each one stands
for a rule of FORMAT-NOTES.md §9-§10. Writes into DIR (default: adversarial/ next to this script):

    NAME.tar / NAME.tar.gz      a flat tar              (reference-reader.py flat FILE)
    NAME.oci/                   an OCI image layout     (reference-reader.py oci DIR)
    expected.txt                NAME  accept|refuse  what the rule is

For every "accept" case NAME.expected holds the tree reference-reader.py prints (describe-tree.py format).
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

T = 1700000000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "adversarial")


def member(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="", uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.uid, info.gid = kind, mode, T, uid, gid
    info.uname = info.gname = ""
    if kind == tarfile.DIRTYPE and mode == 0o644:
        info.mode = 0o755
    if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        info.linkname = link
    if kind == tarfile.SYMTYPE and mode == 0o644:
        info.mode = 0o777
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if info.size else None)
        end = archive.offset
    return buffer.getvalue()[:end + 1024]  # two end blocks, without tarfile's padding to a 10 KiB record


def write(name, content):
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(content)


def oci_layout(name, layers):
    """layers: list of member lists; writes an OCI layout with gzip layers (mtime 0) and correct digests."""
    root = os.path.join(OUT, name)
    os.makedirs(os.path.join(root, "blobs", "sha256"))

    def blob(content):
        digest = hashlib.sha256(content).hexdigest()
        with open(os.path.join(root, "blobs", "sha256", digest), "wb") as handle:
            handle.write(content)
        return {"digest": "sha256:" + digest, "size": len(content)}

    descriptors, diff_ids = [], []
    for members in layers:
        raw = tar_bytes(members)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        descriptors.append(dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip",
                                **blob(gzip.compress(raw, mtime=0))))
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    config_descriptor = dict(mediaType="application/vnd.oci.image.config.v1+json",
                             **blob(json.dumps(config, sort_keys=True).encode()))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_descriptor, "layers": descriptors}
    manifest_descriptor = dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                               **blob(json.dumps(manifest, sort_keys=True).encode()),
                               annotations={"org.opencontainers.image.ref.name": "fixture"})
    with open(os.path.join(root, "index.json"), "w") as handle:
        json.dump({"schemaVersion": 2, "manifests": [manifest_descriptor]}, handle, sort_keys=True)
    with open(os.path.join(root, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    cases = []

    def case(name, outcome, rule):
        cases.append(f"{name}\t{outcome}\t{rule}")

    write("dotdot.tar", tar_bytes([member("etc/", D), member("../evil", F, b"x\n")]))
    case("dotdot.tar", "refuse", "a '..' component (path traversal)")
    write("dotdot-inner.tar", tar_bytes([member("etc/", D), member("etc/../../evil", F, b"x\n")]))
    case("dotdot-inner.tar", "refuse", "a '..' component inside the path")
    write("absolute.tar", tar_bytes([member("/etc/", D), member("/etc/abs", F, b"x\n")]))
    case("absolute.tar", "accept", "absolute names are taken relative to the root: /etc/abs")
    whole = tar_bytes([member("etc/", D), member("etc/data", F, b"d" * 1000)])
    write("truncated-data.tar", whole[:1024 + 500])  # headers of etc/ and etc/data, then half the data
    case("truncated-data.tar", "refuse", "EOF inside a member's data")
    write("truncated-header.tar", whole[:512 + 200])
    case("truncated-header.tar", "refuse", "EOF inside a header block")
    padded = tar_bytes([member("etc/", D), member("etc/data", F, b"d" * 9)])
    write("no-padding-no-end.tar", padded[:1024 + 9])
    case("no-padding-no-end.tar", "accept", "EOF right after the last data, no padding, no end blocks (umoci < 0.4.8)")
    broken = bytearray(whole)
    broken[512 + 10] ^= 0x01  # one bit of the second header's name
    write("bad-checksum.tar", bytes(broken))
    case("bad-checksum.tar", "refuse", "header checksum mismatch")
    zero_gap = tar_bytes([member("etc/", D)])[:512] + b"\0" * 512 + tar_bytes([member("etc/x", F, b"x\n")])
    write("zero-block-then-data.tar", zero_gap)
    case("zero-block-then-data.tar", "refuse", "one zero block followed by a header (Go: ErrHeader)")
    write("hardlink-missing.tar", tar_bytes([member("etc/", D), member("etc/link", H, link="etc/nowhere")]))
    case("hardlink-missing.tar", "refuse", "hard link to a path that does not exist")
    write("hardlink-to-dir.tar", tar_bytes([member("etc/", D), member("etc/link", H, link="etc")]))
    case("hardlink-to-dir.tar", "refuse", "hard link to a directory")
    write("symlink-parent.tar", tar_bytes([member("etc/", D), member("a", L, link="/etc"),
                                           member("a/passwd", F, b"root::0:0::/:/bin/sh\n")]))
    case("symlink-parent.tar", "refuse", "a member below a symlink (would be written through it)")
    write("missing-parent.tar", tar_bytes([member("usr/bin/tool", F, b"x\n")]))
    case("missing-parent.tar", "refuse", "a member whose parent directory was never created")
    write("duplicate.tar", tar_bytes([member("etc/", D), member("etc/conf", F, b"first\n"),
                                      member("etc/conf", F, b"second\n", mode=0o600)]))
    case("duplicate.tar", "accept", "the same path twice: the last one wins (etc/conf = 'second', 0600)")
    write("dir-over-file.tar", tar_bytes([member("etc/", D), member("etc/x", F, b"file\n"), member("etc/x/", D),
                                          member("etc/x/y", F, b"y\n")]))
    case("dir-over-file.tar", "accept", "a directory replaces a file of the same name")
    big = tar_bytes([member("etc/", D)])[:512]
    rest = b" path=" + b"a" * (1 << 20) + b"\n"
    length = len(rest) + len(str(len(rest)))
    if len(str(length)) + len(rest) != length:
        length += 1
    body = str(length).encode() + rest
    assert len(body) == length
    pax = tarfile.TarInfo("PaxHeaders/big")
    pax.type, pax.size = tarfile.XHDTYPE, len(body)
    pax_block = pax.tobuf(tarfile.USTAR_FORMAT)
    oversize = big + pax_block + body + b"\0" * (-len(body) % 512) + tar_bytes([member("etc/f", F, b"x\n")])
    write("oversize-pax.tar.gz", gzip.compress(oversize, mtime=0))
    case("oversize-pax.tar.gz", "refuse", "a PAX header body over 1 MiB")
    write("gzip-truncated.tar.gz", gzip.compress(whole, mtime=0)[:-12])
    case("gzip-truncated.tar.gz", "refuse", "gzip stream cut before its end (no CRC/ISIZE trailer)")
    write("gzip-multimember.tar.gz", gzip.compress(whole[:1024], mtime=0) + gzip.compress(whole[1024:], mtime=0))
    case("gzip-multimember.tar.gz", "accept", "two concatenated gzip members (pigz, cat a.gz b.gz)")

    base = [member("./", D), member("etc/", D), member("etc/keep", F, b"keep\n"), member("link", L, link="/etc"),
            member("opt/", D), member("opt/old", F, b"old\n")]
    oci_layout("symlink-then-dir.oci", [base, [member("link/", D, mode=0o700), member("link/new", F, b"new\n")]])
    case("symlink-then-dir.oci", "accept", "a lower-layer symlink replaced by a directory: /link is a dir, /etc intact")
    oci_layout("whiteout-same-layer.oci", [base, [member("opt/fresh", F, b"fresh\n"), member("opt/.wh.fresh", F),
                                                   member("opt/.wh.old", F)]])
    case("whiteout-same-layer.oci", "refuse", "whiteout after a same-layer entry of the same path: the spec and umoci "
         "keep /opt/fresh, docker 20.10 deletes it")
    oci_layout("whiteout-then-add.oci", [base, [member("opt/.wh.old", F), member("opt/old", F, b"new\n", mode=0o600)]])
    case("whiteout-then-add.oci", "accept", "whiteout before a same-layer entry of the same path: /opt/old = 'new' 0600")
    oci_layout("whiteout-through-symlink.oci", [base + [member("target/", D), member("target/child", F, b"t\n"),
                                                        member("d/", D), member("d/child", F, b"d\n")],
                                                [member("d", L, link="/target"), member("d/.wh.child", F)]])
    case("whiteout-through-symlink.oci", "refuse", "whiteout below a path this layer made a symlink: the spec keeps "
         "/target/child, docker 20.10 and umoci 0.4.7 delete it")
    oci_layout("opaque-last.oci", [base, [member("opt/", D), member("opt/new", F, b"new\n"),
                                          member("opt/.wh..wh..opq", F)]])
    case("opaque-last.oci", "accept", "opaque marker after the new children: applies first, /opt = {new}")
    oci_layout("whiteout-dir.oci", [base, [member(".wh.opt", F), member("etc/.wh..wh.plnk/", D)]])
    case("whiteout-dir.oci", "accept", "whiteout of a directory removes its subtree; .wh..wh.* AUFS metadata skipped")
    oci_layout("lower-symlink-parent.oci", [base, [member("link/passwd", F, b"owned\n")]])
    case("lower-symlink-parent.oci", "refuse", "a member below a lower-layer symlink (the layer breakout; docker "
         "and umoci write it through the symlink, here to /etc/passwd)")
    oci_layout("hardlink-lower.oci", [base, [member("etc/keep-link", H, link="etc/keep")]])
    case("hardlink-lower.oci", "accept", "a hard link to a file of a lower layer: nlink 2")

    with open(os.path.join(OUT, "expected.txt"), "w") as handle:
        handle.write("# name\toutcome\trule (FORMAT-NOTES.md §9-§10); NAME.expected = the tree of an accepted case\n")
        handle.write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
