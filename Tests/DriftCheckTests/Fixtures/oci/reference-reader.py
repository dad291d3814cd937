#!/usr/bin/env python3
"""Reference reader for the fixtures of this folder: the rules of FORMAT-NOTES.md as ~300 lines of Python with no
tar library (it parses the 512-byte blocks itself), so that the Swift implementation has something to be compared
with, and so that make-fixture.sh can check that every fixture decodes to expected-details.txt.

    reference-reader.py flat FILE            a flat tar (docker export, GNU tar, bsdtar), optionally gzipped
    reference-reader.py oci DIR|FILE         an OCI image layout directory, or a tar of one (skopeo oci-archive)
    reference-reader.py docker FILE          a `docker save` tar (manifest.json), optionally gzipped

Prints the tree in the format of describe-tree.py (path type mode uid gid size nlink mtime rdev sha256 target caps).
A missing root entry (docker export has none) is reported as "/ d 0755 0 0 0 - 0.000000000 ...".
Exits 1 with a message on anything the notes say to refuse.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import sys
import urllib.parse
import zlib

BLOCK = 512
MAX_SPECIAL = 1 << 20  # largest PAX / GNU long-name body accepted (Go and libarchive use 1 MiB too)


class Refused(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Decompression: gzip (also several concatenated members), or nothing.

def decompress(data):
    if data[:2] != b"\x1f\x8b":
        return data
    out, rest = [], data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # = inflateInit2(&strm, 16 + MAX_WBITS): gzip wrapper, CRC checked
        out.append(d.decompress(rest))
        if not d.eof:
            raise Refused("truncated gzip stream")
        rest = d.unused_data
        if rest and rest[:2] != b"\x1f\x8b":
            raise Refused("data after the gzip stream")
    return b"".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Tar headers.

def cstring(raw):
    return raw.split(b"\0", 1)[0]


def number(raw, what):
    if raw and raw[0] & 0x80:  # base-256: two's complement, big-endian, first bit is the marker
        value = int.from_bytes(bytes([raw[0] & 0x7F]) + raw[1:], "big")
        if raw[0] & 0x40:
            value -= 1 << (8 * len(raw) - 1)
        return value
    text = raw.strip(b" \0")
    text = cstring(text)
    if not text:
        return 0
    if any(c not in b"01234567" for c in text):
        raise Refused(f"bad octal in {what}: {raw!r}")
    return int(text, 8)


def pax_time(text):
    """Returns a timespec (seconds, nanoseconds), 0 <= nanoseconds < 10**9: "-1.25" is 1.25 s before the epoch,
    i.e. (-2, 750000000), as stat(2) reports it."""
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise Refused(f"bad PAX time {text!r}")
    nanos = int((fraction + "000000000")[:9])
    total = int(whole) * 10**9 + nanos
    if negative:
        total = -total
    return total // 10**9, total % 10**9


def parse_pax(body):
    records, rest = {}, body
    while rest:
        space = rest.find(b" ")
        if space <= 0 or not rest[:space].isdigit():
            raise Refused("bad PAX record length")
        length = int(rest[:space])
        if length < space + 3 or length > len(rest) or rest[length - 1:length] != b"\n":
            raise Refused("bad PAX record")
        key, eq, value = rest[space + 1:length - 1].partition(b"=")
        if not eq or not key:
            raise Refused("PAX record without key=")
        records[key.decode("utf-8", "surrogateescape")] = value
        rest = rest[length:]
    return records


def read_tar(data):
    """Yields one dict per archive member, with the PAX / GNU long-name entries folded in."""
    pos, pax, longname, longlink = 0, {}, None, None
    while True:
        if pos >= len(data):
            if pax or longname is not None or longlink is not None:
                raise Refused("archive ends after an extended header")
            return  # end of data at a block boundary: accepted (umoci < 0.4.8 writes no end-of-archive blocks)
        block = data[pos:pos + BLOCK]
        if len(block) < BLOCK:
            raise Refused(f"truncated header at {pos}")
        if block == b"\0" * BLOCK:
            following = data[pos + BLOCK:pos + 2 * BLOCK]
            if following and following != b"\0" * len(following):
                raise Refused(f"zero block followed by data at {pos}")
            return
        stored = number(block[148:156], "chksum")
        unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
        signed = sum(b - 256 if b > 127 else b for b in block[:148] + b" " * 8 + block[156:])
        if stored not in (unsigned, signed):
            raise Refused(f"bad header checksum at {pos}")
        magic = block[257:265]
        typeflag = chr(block[156]) if block[156] else "0"
        size = number(block[124:136], "size")
        entry = {
            "name": cstring(block[0:100]), "mode": number(block[100:108], "mode"),
            "uid": number(block[108:116], "uid"), "gid": number(block[116:124], "gid"), "size": size,
            "mtime": (number(block[136:148], "mtime"), 0), "type": typeflag, "link": cstring(block[157:257]),
            "devmajor": 0, "devminor": 0, "xattrs": {},
        }
        if magic[:6] == b"ustar\0":  # POSIX ustar / pax: the prefix field holds the leading part of the path
            prefix = cstring(block[345:500])
            if prefix:
                entry["name"] = prefix + b"/" + entry["name"]
        if magic[:5] == b"ustar":  # POSIX and GNU both have uname, gname, devmajor, devminor
            entry["devmajor"] = number(block[329:337], "devmajor")
            entry["devminor"] = number(block[337:345], "devminor")
        pos += BLOCK
        header_only = typeflag in "123456"
        if typeflag in "xgLK":
            if size < 0 or size > MAX_SPECIAL:
                raise Refused(f"special entry of {size} bytes")
            body = data[pos:pos + size]
            if len(body) < size:
                raise Refused("truncated extended header")
            pos += size + (-size % BLOCK)
            if typeflag == "x":
                pax.update(parse_pax(body))
            elif typeflag == "L":
                longname = cstring(body)
            elif typeflag == "K":
                longlink = cstring(body)
            # 'g' (global) records are ignored, as Go's archive/tar, moby and containerd do
            continue
        if typeflag in "SVMN":
            raise Refused(f"unsupported typeflag {typeflag!r} (GNU sparse / multi-volume)")
        if longname is not None:
            entry["name"] = longname
        if longlink is not None:
            entry["link"] = longlink
        for key, value in pax.items():
            if value == b"":
                continue  # an empty value keeps the header's field (Go's mergePAX)
            if key == "path":
                entry["name"] = value
            elif key == "linkpath":
                entry["link"] = value
            elif key in ("uid", "gid", "size"):
                if not value.isdigit():
                    raise Refused(f"bad PAX {key} {value!r}")
                entry[key] = int(value)
            elif key == "mtime":
                entry["mtime"] = pax_time(value.decode())
            elif key.startswith("SCHILY.xattr."):
                entry["xattrs"][key[len("SCHILY.xattr."):]] = value
            elif key.startswith("LIBARCHIVE.xattr."):
                name = urllib.parse.unquote_to_bytes(key[len("LIBARCHIVE.xattr."):]).decode("utf-8", "surrogateescape")
                entry["xattrs"].setdefault(name, base64.b64decode(value + b"=" * (-len(value) % 4)))
            elif key.startswith("GNU.sparse."):
                raise Refused("GNU sparse file")
        pax, longname, longlink = {}, None, None
        size = 0 if header_only else entry["size"]
        if size < 0:
            raise Refused("negative size")
        content = data[pos:pos + size]
        if len(content) < size:
            raise Refused(f"truncated data of {entry['name']!r}")
        pos += size
        pos += min(-size % BLOCK, len(data) - pos)  # EOF inside the final padding is accepted (Go does)
        entry["data"] = content
        if typeflag == "7":
            entry["type"] = "0"
        if typeflag == "0" and block[156] == 0 and entry["name"].endswith(b"/"):
            entry["type"] = "5"  # pre-POSIX archives mark directories with a trailing slash only
        if entry["type"] not in "0123456":
            raise Refused(f"unknown typeflag {typeflag!r}")
        yield entry


def clean(name):
    """Archive name -> tuple of components relative to the root; () is the root. Refuses '..'."""
    parts = []
    for part in name.split(b"/"):
        if part in (b"", b"."):
            continue  # leading "/", "./", doubled and trailing slashes
        if part == b"..":
            raise Refused(f"'..' in {name!r}")
        parts.append(part)
    return tuple(parts)


# ---------------------------------------------------------------------------------------------------------------
# The tree: path tuple -> node. A node is a dict; hard links share one "inode" dict.

KIND = {"0": "f", "2": "l", "3": "c", "4": "b", "5": "d", "6": "p"}


def remove(tree, path):
    for other in [p for p in tree if p[:len(path)] == path]:
        del tree[other]


def apply_entry(tree, entry, path):
    parent = path[:-1]
    if parent not in tree:
        raise Refused(f"{b'/'.join(path)!r}: parent directory missing")  # (docker/containerd would create it)
    if tree[parent]["inode"]["kind"] != "d":
        raise Refused(f"{b'/'.join(path)!r}: parent is not a directory")  # never follow a symlink here
    existing = tree.get(path)
    if entry["type"] == "1":
        target = tree.get(clean(entry["link"]))
        if target is None or target["inode"]["kind"] == "d":
            raise Refused(f"hard link {b'/'.join(path)!r} -> {entry['link']!r}: no such file, or a directory")
        if existing is not None:
            remove(tree, path)
        tree[path] = {"inode": target["inode"]}
        return
    inode = {
        "kind": KIND[entry["type"]],
        "mode": 0o777 if entry["type"] == "2" else entry["mode"] & 0o7777,  # Linux symlinks are always 0777
        "uid": entry["uid"], "gid": entry["gid"],
        "size": entry["size"] if entry["type"] == "0" else 0, "mtime": entry["mtime"],
        "rdev": f"{entry['devmajor']}:{entry['devminor']}" if entry["type"] in "34" else "-",
        "sha256": hashlib.sha256(entry["data"]).hexdigest() if entry["type"] == "0" else "-",
        "target": entry["link"] if entry["type"] == "2" else None,
        "caps": entry["xattrs"].get("security.capability"),
    }
    if existing is not None and not (existing["inode"]["kind"] == "d" and inode["kind"] == "d"):
        remove(tree, path)  # anything but dir-over-dir replaces the old object and everything below it
    tree[path] = {"inode": inode}


def resolve(tree, path, hops=40):
    """Follows symlinks inside the tree as an extractor writing into a chroot would (absolute targets start at the
    root, '..' stops at the root). Returns (resolved path, whether a symlink was crossed), or None if it dangles."""
    done, crossed, rest = (), False, list(path)
    while rest:
        part = rest.pop(0)
        node = tree.get(done + (part,))
        if node is None:
            return None
        if node["inode"]["kind"] == "l":
            hops -= 1
            if hops < 0:
                return None
            target = node["inode"]["target"]
            done = () if target.startswith(b"/") else done
            for piece in reversed([p for p in target.split(b"/") if p not in (b"", b".")]):
                rest.insert(0, piece)
            crossed = True
            continue
        if part == b"..":
            done = done[:-1]
            continue
        done = done + (part,)
    return done, crossed


def diverging_whiteout(tree, path):
    """True when a whiteout of `path` would delete something else in extractors that apply it through the
    filesystem (docker 20.10, umoci 0.4.7 both do): its parent resolves through a symlink to an existing NAME."""
    parent = resolve(tree, [p for p in path[:-1] if p != b".."])
    if parent is None or not parent[1]:
        return False
    return parent[0] + (path[-1],) in tree


def apply_layer(tree, entries, whiteouts=True):
    """One layer: opaque markers and whiteouts act on the lower layers only, whatever their order in the tar
    (image-spec layer.md). Refuses the two orders whose result differs between the spec and real extractors."""
    members, opaque, deleted, added = [], [], [], []
    for entry in entries:
        path = clean(entry["name"])
        base = path[-1] if path else b""
        if whiteouts and any(part.startswith(b".wh..wh.") and part != b".wh..wh..opq" for part in path):
            continue  # AUFS metadata (.wh..wh.plnk/, .wh..wh.aufs, .wh..wh.orph): never part of the tree
        if whiteouts and base.startswith(b".wh."):
            if base == b".wh..wh..opq":
                opaque.append(path[:-1])
            else:
                target = path[:-1] + (base[4:],)
                if any(p[:len(target)] == target for p in added):
                    raise Refused(f"whiteout {b'/'.join(path)!r} after a same-layer entry of that path: "
                                  "the spec keeps the entry, docker deletes it")
                deleted.append(target)
            continue
        members.append((path, entry))
        added.append(path)
    for path in deleted:
        if diverging_whiteout(tree, path):
            raise Refused(f"whiteout {b'/'.join(path)!r} under a symlink: extractors would delete its target")
    for directory in opaque:
        for other in [p for p in tree if len(p) > len(directory) and p[:len(directory)] == directory]:
            del tree[other]
    for path in deleted:
        remove(tree, path)
    for path, entry in members:  # a path repeated in one tar: the last one wins, as when extracting
        if path == ():
            if entry["type"] != "5":
                raise Refused("the root is not a directory")
            tree[()]["inode"].update(apply_root(entry))
            continue
        apply_entry(tree, entry, path)
    for path in deleted:
        if diverging_whiteout(tree, path):
            raise Refused(f"whiteout {b'/'.join(path)!r} under a symlink: extractors would delete its target")


def apply_root(entry):
    return {"mode": entry["mode"] & 0o7777, "uid": entry["uid"], "gid": entry["gid"], "mtime": entry["mtime"]}


def new_tree():
    return {(): {"inode": {"kind": "d", "mode": 0o755, "uid": 0, "gid": 0, "size": 0, "mtime": (0, 0),
                           "rdev": "-", "sha256": "-", "target": None, "caps": None}}}


def render(tree):
    links = {}
    for node in tree.values():
        links[id(node["inode"])] = links.get(id(node["inode"]), 0) + 1
    lines = ["# path\ttype\tmode\tuid\tgid\tsize\tnlink\tmtime\trdev\tsha256\ttarget\tcaps"]
    for path in sorted(tree):
        inode = tree[path]["inode"]
        seconds, nanos = inode["mtime"]
        ns = seconds * 10**9 + nanos
        lines.append("\t".join([
            "/" + b"/".join(path).decode("utf-8", "surrogateescape"), inode["kind"], f"{inode['mode']:04o}",
            str(inode["uid"]), str(inode["gid"]), str(inode["size"]),
            "-" if inode["kind"] == "d" else str(links[id(inode)]), f"{'-' if ns < 0 else ''}{abs(ns) // 10**9}.{abs(ns) % 10**9:09d}", inode["rdev"],
            inode["sha256"], inode["target"].decode("utf-8", "surrogateescape") if inode["target"] is not None else "-",
            inode["caps"].hex() if inode["caps"] is not None else "-"]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Image formats.

def sha256_blob(get, descriptor):
    digest = descriptor["digest"]
    algorithm, _, hexpart = digest.partition(":")
    if algorithm != "sha256" or len(hexpart) != 64 or any(c not in "0123456789abcdef" for c in hexpart):
        raise Refused(f"unsupported digest {digest!r}")
    blob = get("blobs/sha256/" + hexpart)
    if hashlib.sha256(blob).hexdigest() != hexpart or len(blob) != descriptor["size"]:
        raise Refused(f"blob {digest} does not match its digest or size")
    return blob


LAYER_TYPES = {
    "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.gzip", "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
}


def oci(get):
    layout = json.loads(get("oci-layout"))
    if layout.get("imageLayoutVersion") != "1.0.0":
        raise Refused("not an OCI image layout 1.0.0")
    index = json.loads(get("index.json"))
    manifest = None
    for _ in range(8):  # nested indexes, bounded
        candidates = index["manifests"]
        if len(candidates) != 1:
            raise Refused(f"{len(candidates)} manifests: choose one (by ref name or platform)")
        descriptor = candidates[0]
        document = json.loads(sha256_blob(get, descriptor))
        if descriptor["mediaType"] in ("application/vnd.oci.image.index.v1+json",
                                       "application/vnd.docker.distribution.manifest.list.v2+json"):
            index = document
            continue
        manifest = document
        break
    if manifest is None:
        raise Refused("index nesting too deep")
    config = json.loads(sha256_blob(get, manifest["config"]))
    tree = new_tree()
    diff_ids = config.get("rootfs", {}).get("diff_ids", [])
    for number, layer in enumerate(manifest["layers"]):
        if layer["mediaType"] not in LAYER_TYPES:
            raise Refused(f"layer media type {layer['mediaType']}")
        raw = decompress(sha256_blob(get, layer))
        if number < len(diff_ids) and diff_ids[number] != "sha256:" + hashlib.sha256(raw).hexdigest():
            raise Refused(f"layer {number} does not match diff_ids[{number}]")
        apply_layer(tree, read_tar(raw))
    return tree


def members_of(data):
    files = {}
    for entry in read_tar(decompress(data)):
        files[b"/".join(clean(entry["name"])).decode()] = entry
    def get(name):
        entry = files.get(name)
        while entry is not None and entry["type"] == "2":  # docker-archive's legacy */layer.tar symlinks
            name = os.path.normpath(os.path.join(os.path.dirname(name), entry["link"].decode()))
            entry = files.get(name)
        if entry is None or entry["type"] != "0":
            raise Refused(f"{name}: not in the archive")
        return entry["data"]
    return get


def main():
    kind, source = sys.argv[1], sys.argv[2]
    try:
        if kind == "flat":
            tree = new_tree()
            apply_layer(tree, read_tar(decompress(open(source, "rb").read())), whiteouts=False)
        elif kind == "oci" and os.path.isdir(source):
            tree = oci(lambda name: open(os.path.join(source, name), "rb").read())
        elif kind == "oci":
            tree = oci(members_of(open(source, "rb").read()))
        elif kind == "docker":
            get = members_of(open(source, "rb").read())
            manifest = json.loads(get("manifest.json"))
            if len(manifest) != 1:
                raise Refused(f"{len(manifest)} images in manifest.json")
            tree = new_tree()
            for name in manifest[0]["Layers"]:
                apply_layer(tree, read_tar(decompress(get(name))))
        else:
            raise SystemExit(__doc__)
    except Refused as reason:
        print(f"refused: {reason}", file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(render(tree))


if __name__ == "__main__":
    main()
