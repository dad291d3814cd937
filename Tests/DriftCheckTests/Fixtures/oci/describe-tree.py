#!/usr/bin/env python3
"""Prints every object under a root, one line each, sorted bytewise by path, tab-separated:

    path  type  mode  uid  gid  size  nlink  mtime  rdev  sha256  target  caps

path     as driftcheck writes it: "/" for the root, "/etc/passwd" below it (raw bytes shown as UTF-8)
type     f d l p c b s (as find -printf %y)
mode     permission bits incl. setuid/setgid/sticky, 4 octal digits (st_mode & 07777)
size     st_size for regular files, 0 for everything else (a directory's or symlink's st_size is not in a tar)
nlink    st_nlink for non-directories, "-" for directories (filesystem-dependent)
mtime    seconds.nanoseconds as an exact signed decimal (timespec {-2, 750000000} is "-1.250000000")
rdev     MAJOR:MINOR for character and block devices, "-" otherwise
sha256   of the content of regular files, "-" otherwise
target   symlink target, "-" otherwise
caps     security.capability as lower-case hex, "-" when absent
"""
import hashlib
import os
import stat
import sys

KINDS = {stat.S_IFREG: "f", stat.S_IFDIR: "d", stat.S_IFLNK: "l", stat.S_IFIFO: "p", stat.S_IFCHR: "c",
         stat.S_IFBLK: "b", stat.S_IFSOCK: "s"}


def main():
    root = os.fsencode(sys.argv[1])
    rows = [b""]
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            rows.append(os.path.relpath(os.path.join(directory, name), root))
    print("# path\ttype\tmode\tuid\tgid\tsize\tnlink\tmtime\trdev\tsha256\ttarget\tcaps")
    for relative in sorted(rows):
        full = os.path.join(root, relative) if relative else root
        info = os.lstat(full)
        kind = KINDS[stat.S_IFMT(info.st_mode)]
        size = info.st_size if kind == "f" else 0
        nlink = "-" if kind == "d" else str(info.st_nlink)
        ns = info.st_mtime_ns
        mtime = f"{'-' if ns < 0 else ''}{abs(ns) // 10**9}.{abs(ns) % 10**9:09d}"  # exact: -1.25 s is "-1.250000000"
        rdev = f"{os.major(info.st_rdev)}:{os.minor(info.st_rdev)}" if kind in "cb" else "-"
        digest = hashlib.sha256(open(full, "rb").read()).hexdigest() if kind == "f" else "-"
        target = os.fsdecode(os.readlink(full)) if kind == "l" else "-"
        caps = "-"
        if kind != "l":
            try:
                caps = os.getxattr(full, "security.capability", follow_symlinks=False).hex()
            except OSError:
                pass
        path = "/" + os.fsdecode(relative)
        print("\t".join([path, kind, f"{stat.S_IMODE(info.st_mode):04o}", str(info.st_uid), str(info.st_gid),
                         str(size), nlink, mtime, rdev, digest, target, caps]))


if __name__ == "__main__":
    main()
