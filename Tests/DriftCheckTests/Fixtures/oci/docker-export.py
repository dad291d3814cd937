#!/usr/bin/env python3
"""Writes a tar of a directory tree the way `docker export` does, byte for byte in the header layout.

docker export is moby's pkg/archive TarWithOptions(rootfs) with Go's archive/tar writer. This reproduces what
matters for a reader (moby pkg/archive/archive.go, Go src/archive/tar/writer.go, format.go, strconv.go):

* filepath.Walk order: each directory's names sorted bytewise, parent before children; the root itself is skipped
  (IncludeSourceDir false), names are relative with no leading "./"; directories end in "/".
* hdr.Format = PAX and the mtime truncated to whole seconds; no atime/ctime. Go then still writes a plain USTAR
  header whenever it can (ASCII names, the ustar prefix/name split for names of 101..256 bytes, numbers that fit the
  octal fields), and a PAX 'x' entry named DIR/PaxHeaders.0/BASE only when something does not fit: non-ASCII or
  unsplittable path -> "path", long or non-ASCII link target -> "linkpath", uid/gid >= 8**7 -> "uid"/"gid",
  size >= 8**11 -> "size", and any xattr -> "SCHILY.xattr.NAME" (docker only ever stores security.capability).
  In such a header the ustar name/linkname fields keep only the ASCII characters of the value, cut to the field
  width, and numbers that do not fit are written as 0.
* The mode field carries the file-type bits as well (moby fillGo18FileTypeBits): 0100755, 040755, 0120777, ...
* A second path of an inode (link count > 1, not a directory) is a typeflag '1' entry naming the first path, size 0.
* Numbers: zero-padded octal with a trailing NUL; checksum 6 octal digits, NUL, space; magic "ustar\\0" "00".
* Sockets are skipped (Go's FileInfoHeader refuses them). Uname/gname are left empty (docker's lookups are of the
  daemon's host, not of the image). The archive ends with two zero blocks and is not padded to a 10 KiB record.
"""
import os
import stat
import sys

BLOCK = 512


def octal(value, width):
    """Go's formatter.formatOctal: zero-padded with a trailing NUL; a value that does not fit is written as 0."""
    if not fits_octal(value, width):
        value = 0
    return format(value, "o").rjust(width - 1, "0").encode() + b"\0"


def fits_octal(value, width):
    return 0 <= value < 1 << ((width - 1) * 3)


def is_ascii(text):
    return all(0 < ord(c) < 0x80 for c in text)


def to_ascii(text):
    return "".join(c for c in text if 0 < ord(c) < 0x80)


def split_ustar(name):
    """Go's splitUSTARPath: (prefix, name) or None."""
    length = len(name)
    if length <= 100 or not is_ascii(name):
        return None
    if length > 156:
        length = 156
    elif name[length - 1] == "/":
        length -= 1
    i = name.rfind("/", 0, length)
    nlen = len(name) - i - 1
    if i <= 0 or nlen > 100 or nlen == 0 or i > 155:
        return None
    return name[:i], name[i + 1:]


def put(block, offset, width, data):
    """Go's formatter.formatString: copy, cut at the field width (no NUL then); a cut that ends in '/' is
    shortened so that the field does not look like a directory."""
    field = bytearray(data[:width]) + b"\0" * max(0, width - len(data))
    if len(data) > width and field[-1] == ord("/"):
        field[len(bytes(field).rstrip(b"/"))] = 0
    block[offset:offset + width] = field


def header_block(name, linkname, mode, uid, gid, size, mtime, typeflag, devmajor=0, devminor=0, prefix="",
                 raw=False):
    block = bytearray(BLOCK)
    put(block, 0, 100, to_ascii(name).encode())
    put(block, 100, 8, octal(mode, 8))
    put(block, 108, 8, octal(uid, 8))
    put(block, 116, 8, octal(gid, 8))
    put(block, 124, 12, octal(size, 12))
    put(block, 136, 12, octal(mtime, 12))
    block[156] = ord(typeflag)
    put(block, 157, 100, to_ascii(linkname).encode())
    block[257:263] = b"ustar\0"
    block[263:265] = b"00"
    if not raw:  # Go's writeRawFile (PAX 'x' entries) leaves the device fields all NUL
        put(block, 329, 8, octal(devmajor, 8))
        put(block, 337, 8, octal(devminor, 8))
    put(block, 345, 155, prefix.encode())
    block[148:156] = b" " * 8
    checksum = sum(block)
    block[148:155] = octal(checksum, 7)
    block[155] = ord(" ")
    return bytes(block)


def pax_record(key, value):
    """Go's formatPAXRecord: "%d %s=%s\n" where %d counts the whole record, its own digits included."""
    body = b" " + key.encode() + b"=" + value + b"\n"
    size = len(body) + len(str(len(body)))
    record = str(size).encode() + body
    if len(record) != size:
        size = len(record)
        record = str(size).encode() + body
    return record


def padded(data):
    return data + b"\0" * (-len(data) % BLOCK)


def entry(out, name, linkname, mode, uid, gid, size, mtime, typeflag, xattrs, devmajor=0, devminor=0):
    pax = {}
    ustar_ok = True
    if not is_ascii(name) or len(name) > 100:
        if split_ustar(name) is None:
            ustar_ok = False
        pax["path"] = name.encode()
    if not is_ascii(linkname) or len(linkname) > 100:
        ustar_ok = False
        pax["linkpath"] = linkname.encode()
    for key, value, width in (("uid", uid, 8), ("gid", gid, 8), ("size", size, 12)):
        if not fits_octal(value, width):
            ustar_ok = False
            pax[key] = str(value).encode()
    for key, value in xattrs.items():
        ustar_ok = False
        pax["SCHILY.xattr." + key] = value
    if ustar_ok:
        prefix, short = "", name
        split = split_ustar(name)
        if split:
            prefix, short = split
        out.write(header_block(short, linkname, mode, uid, gid, size, mtime, typeflag, devmajor, devminor, prefix))
        return
    data = b"".join(pax_record(k, pax[k]) for k in sorted(pax))
    directory, base = name.rsplit("/", 1) if "/" in name else ("", name)
    pax_name = "/".join(p for p in (directory, "PaxHeaders.0", base) if p)
    pax_name = to_ascii(pax_name)[:100].rstrip("/")
    out.write(header_block(pax_name, "", 0, 0, 0, len(data), 0, "x", raw=True))
    out.write(padded(data))
    out.write(header_block(name, linkname, mode, uid, gid, size, mtime, typeflag, devmajor, devminor))


def main():
    root, target = sys.argv[1], sys.argv[2]
    root_b = os.fsencode(root)
    seen = {}
    with open(target, "wb") as out:
        def visit(relative):
            full = os.path.join(root_b, relative) if relative else root_b
            info = os.lstat(full)
            if relative:
                name = os.fsdecode(relative)
                kind = stat.S_IFMT(info.st_mode)
                perm = stat.S_IMODE(info.st_mode)
                mode = kind | perm
                linkname, size, typeflag, devmajor, devminor = "", 0, "0", 0, 0
                xattrs = {}
                if stat.S_ISDIR(info.st_mode):
                    name += "/"
                    typeflag = "5"
                elif stat.S_ISLNK(info.st_mode):
                    typeflag, linkname = "2", os.fsdecode(os.readlink(full))
                elif stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
                    typeflag = "3" if stat.S_ISCHR(info.st_mode) else "4"
                    devmajor, devminor = os.major(info.st_rdev), os.minor(info.st_rdev)
                elif stat.S_ISFIFO(info.st_mode):
                    typeflag = "6"
                elif stat.S_ISSOCK(info.st_mode):
                    return
                elif stat.S_ISREG(info.st_mode):
                    size = info.st_size
                if not stat.S_ISLNK(info.st_mode):
                    try:
                        xattrs["security.capability"] = os.getxattr(full, "security.capability",
                                                                    follow_symlinks=False)
                    except OSError:
                        pass
                if not stat.S_ISDIR(info.st_mode) and info.st_nlink > 1:
                    key = (info.st_dev, info.st_ino)
                    if key in seen:
                        typeflag, linkname, size = "1", seen[key], 0
                    else:
                        seen[key] = name
                entry(out, name, linkname, mode, info.st_uid, info.st_gid, size, int(info.st_mtime), typeflag,
                      xattrs, devmajor, devminor)
                if typeflag == "0" and size:
                    with open(full, "rb") as source:
                        out.write(padded(source.read()))
            if stat.S_ISDIR(info.st_mode):
                for child in sorted(os.listdir(full)):
                    visit(os.path.join(relative, child) if relative else child)

        visit(b"")
        out.write(b"\0" * BLOCK * 2)


if __name__ == "__main__":
    main()
