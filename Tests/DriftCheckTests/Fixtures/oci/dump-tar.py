#!/usr/bin/env python3
"""Raw dump of tar headers (no tarfile module): one line per 512-byte header block, showing the raw fields, so
that what each tool really wrote can be seen.  dump-tar.py FILE   (a gzipped FILE is detected and inflated)"""
import gzip
import sys


def field(b, off, n):
    return b[off:off + n]


def cstr(b):
    return b.split(b"\0", 1)[0]


def num(b):
    if b and b[0] & 0x80:
        v = int.from_bytes(bytes([b[0] & 0x7F]) + b[1:], "big")
        if b[0] & 0x40:
            v -= 1 << (8 * len(b) - 1)
        return f"b256:{v}"
    t = b.strip(b" \0")
    return f"{int(t, 8)}" if t else "-"


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    pos, zeros = 0, 0
    print(f"# {len(data)} bytes ({len(data) / 512:.2f} blocks)")
    while pos < len(data):
        blk = data[pos:pos + 512]
        if len(blk) < 512:
            print(f"@{pos}: short block of {len(blk)} bytes (truncated)")
            break
        if blk == b"\0" * 512:
            zeros += 1
            pos += 512
            continue
        if zeros:
            print(f"   ({zeros} zero block(s))")
            zeros = 0
        tf = chr(blk[156]) if blk[156] else "\\0"
        magic = field(blk, 257, 8)
        stored = int(cstr(field(blk, 148, 8)).strip() or b"0", 8)
        calc = sum(blk[:148]) + 8 * 32 + sum(blk[156:])
        size_raw = field(blk, 124, 12)
        size = num(size_raw)
        name = cstr(field(blk, 0, 100))
        prefix = cstr(field(blk, 345, 155)) if magic == b"ustar\x0000" else b""
        print(f"@{pos} tf={tf} magic={magic!r} name={name!r}" + (f" prefix={prefix!r}" if prefix else "")
              + f" mode={field(blk, 100, 8)!r} uid={num(field(blk, 108, 8))} gid={num(field(blk, 116, 8))}"
              f" size={size} mtime={num(field(blk, 136, 12))} link={cstr(field(blk, 157, 100))!r}"
              f" uname={cstr(field(blk, 265, 32))!r} dev={num(field(blk, 329, 8))},{num(field(blk, 337, 8))}"
              f" chk={'ok' if stored == calc else f'BAD {stored} vs {calc}'}")
        pos += 512
        n = int(size) if size.isdigit() else int(size.split(":")[1]) if size.startswith("b256") else 0
        if tf in "123456":
            n = 0
        body = data[pos:pos + n]
        if tf in "xgLK":
            print("    " + repr(body)[:600])
        pos += n + (-n % 512)
    if zeros:
        print(f"   ({zeros} zero block(s) at end)")


if __name__ == "__main__":
    main()
