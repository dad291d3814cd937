import Glibc

/// A fast decoder for the common case of a manifest line: a `"kind":"file"` entry as ``ManifestEncoding`` writes it,
/// with no escape sequences in its strings. It reads the bytes once without building a generic JSON tree; anything
/// else (escapes, unknown or repeated keys, a record, a malformed line) returns nil and the caller falls back to the
/// strict generic parser, which gives the precise error.
enum FileLineDecoder {
    private static let quote = UInt8(ascii: "\"")

    /// Timestamp from "SECONDS.NNNNNNNNN" bytes without going through String.
    static func timestamp(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> Timestamp? {
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")), bytes.endIndex - dot == 10 else { return nil }
        var index = bytes.startIndex
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < dot, dot - index <= 18 else { return nil }
        var seconds: Int64 = 0
        while index < dot {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            seconds = seconds * 10 + Int64(digit)
            index += 1
        }
        var nanoseconds: Int64 = 0
        index = dot + 1
        while index < bytes.endIndex {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            nanoseconds = nanoseconds * 10 + Int64(digit)
            index += 1
        }
        return Timestamp(seconds: negative ? -seconds : seconds, nanoseconds: nanoseconds)
    }

    /// Lower-case hex bytes, decoded; nil on anything else.
    static func hex(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> [UInt8]? {
        guard bytes.count % 2 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: bytes.count / 2)
        var index = bytes.startIndex
        var position = 0
        func nibble(_ byte: UInt8) -> UInt8? {
            if byte >= 0x30 && byte <= 0x39 { return byte - 0x30 }
            if byte >= 0x61 && byte <= 0x66 { return byte - 0x61 + 10 }
            return nil
        }
        while index < bytes.endIndex {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            output[position] = high << 4 | low
            position += 1
            index += 2
        }
        return output
    }

    /// The keys a file line may hold, as bit positions for "seen" tracking.
    private enum Key: Int {
        case kind, path, type, mode, uid, gid, size, mtime, ctime, dev, ino, nlink, rdev, sha256, target, caps, pkg
        case conffile, pkgCheck, unscanned, error, content

        init?(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) {
            switch bytes.count {
            case 3:
                if bytes.equals("uid") {
                    self = .uid
                } else if bytes.equals("gid") {
                    self = .gid
                } else if bytes.equals("dev") {
                    self = .dev
                } else if bytes.equals("ino") {
                    self = .ino
                } else if bytes.equals("pkg") {
                    self = .pkg
                } else {
                    return nil
                }
            case 4:
                if bytes.equals("kind") {
                    self = .kind
                } else if bytes.equals("path") {
                    self = .path
                } else if bytes.equals("type") {
                    self = .type
                } else if bytes.equals("mode") {
                    self = .mode
                } else if bytes.equals("size") {
                    self = .size
                } else if bytes.equals("rdev") {
                    self = .rdev
                } else if bytes.equals("caps") {
                    self = .caps
                } else {
                    return nil
                }
            case 5:
                if bytes.equals("mtime") {
                    self = .mtime
                } else if bytes.equals("ctime") {
                    self = .ctime
                } else if bytes.equals("nlink") {
                    self = .nlink
                } else if bytes.equals("error") {
                    self = .error
                } else {
                    return nil
                }
            case 6:
                if bytes.equals("sha256") {
                    self = .sha256
                } else if bytes.equals("target") {
                    self = .target
                } else {
                    return nil
                }
            case 8: if bytes.equals("conffile") { self = .conffile } else { return nil }
            case 10: if bytes.equals("content_gz") { self = .content } else { return nil }
            case 9:
                if bytes.equals("pkg_check") {
                    self = .pkgCheck
                } else if bytes.equals("unscanned") {
                    self = .unscanned
                } else {
                    return nil
                }
            default: return nil
            }
        }
    }

    /// The file entry of `line`, or nil when the line needs the generic parser.
    static func decode(_ line: [UInt8]) -> FileEntry? {
        line.withUnsafeBufferPointer { decode($0) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> FileEntry? {
        var index = 0
        let count = bytes.count
        guard count > 2, bytes[0] == UInt8(ascii: "{"), bytes[count - 1] == UInt8(ascii: "}") else { return nil }
        index = 1
        /// A string value without escapes; nil when it has one (or is unterminated).
        func string() -> UnsafeBufferPointer<UInt8>.SubSequence? {
            guard index < count, bytes[index] == quote else { return nil }
            let start = index + 1
            var end = start
            var ascii = true
            while end < count {
                let byte = bytes[end]
                if byte == quote { break }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                if byte >= 0x80 { ascii = false }
                end += 1
            }
            guard end < count else { return nil }
            index = end + 1
            let value = bytes[start..<end]
            if !ascii && !TerminalText.isValidUTF8(Array(value)) { return nil }
            return value
        }
        func integer() -> Int64? {
            var negative = false
            if index < count, bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            var value: Int64 = 0
            while index < count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if overflow1 || overflow2 { return nil }
                value = sum
                index += 1
            }
            guard index > start, !(bytes[start] == 0x30 && index - start > 1) else { return nil }
            return negative ? -value : value
        }
        var seen = 0
        var path: [UInt8]? = nil
        var type: FileType? = nil
        var permissions: UInt32? = nil
        var uid: UInt32? = nil
        var gid: UInt32? = nil
        var size: Int64? = nil
        var modified: Timestamp? = nil
        var changed: Timestamp? = nil
        var device: UInt64? = nil
        var inode: UInt64? = nil
        var links: UInt64? = nil
        var entry = FileEntry(
            path: [], type: .file, permissions: 0, uid: 0, gid: 0, size: 0,
            modified: Timestamp(seconds: 0, nanoseconds: 0), changed: Timestamp(seconds: 0, nanoseconds: 0))
        while true {
            guard let keyBytes = string(), index < count, bytes[index] == UInt8(ascii: ":"), let key = Key(keyBytes)
            else { return nil }
            index += 1
            let bit = 1 << key.rawValue
            guard seen & bit == 0 else { return nil }
            seen |= bit
            switch key {
            case .kind:
                guard let value = string(), value.equals("file") else { return nil }
            case .path:
                guard let value = string(), value.first == UInt8(ascii: "/") else { return nil }
                path = Array(value)
            case .type:
                guard let value = string() else { return nil }
                type = FileType.allCases.first { value.equals($0.name) }
                if type == nil { return nil }
            case .mode:
                guard let value = string(), value.count == 4 else { return nil }
                var mode: UInt32 = 0
                for digit in value {
                    guard digit >= 0x30, digit <= 0x37 else { return nil }
                    mode = mode << 3 | UInt32(digit - 0x30)
                }
                permissions = mode
            case .uid: guard let value = integer(), let exact = UInt32(exactly: value) else { return nil }; uid = exact
            case .gid: guard let value = integer(), let exact = UInt32(exactly: value) else { return nil }; gid = exact
            case .size: guard let value = integer() else { return nil }; size = value
            case .dev:
                guard let value = integer(), let exact = UInt64(exactly: value) else { return nil }; device = exact
            case .ino:
                guard let value = integer(), let exact = UInt64(exactly: value) else { return nil }; inode = exact
            case .nlink:
                guard let value = integer(), let exact = UInt64(exactly: value) else { return nil }; links = exact
            case .mtime, .ctime:
                guard let value = string(), let time = timestamp(value) else {
                    return nil
                }
                if key == .mtime { modified = time } else { changed = time }
            case .rdev:
                guard let value = string(), let number = FileEntry.deviceNumber(parsing: Array(value)) else {
                    return nil
                }
                entry.deviceNumber = number
            case .sha256:
                guard let value = string(), value.count == 64, let digest = hex(value) else { return nil }
                entry.sha256 = digest
            case .target:
                guard let value = string() else { return nil }
                entry.target = Array(value)
            case .caps:
                guard let value = string(), let raw = hex(value) else { return nil }
                entry.capabilities = raw
            case .pkg:
                guard let value = string() else { return nil }
                entry.package = String(decoding: value, as: UTF8.self)
            case .conffile:
                guard index + 4 <= count, bytes[index..<index + 4].equals("true") else { return nil }
                index += 4
                entry.conffile = true
            case .pkgCheck:
                guard let value = string() else { return nil }
                if value.equals("ok") {
                    entry.packageCheck = .ok
                } else if value.equals("mismatch") {
                    entry.packageCheck = .mismatch
                } else {
                    return nil
                }
            case .unscanned:
                guard let value = string() else { return nil }
                entry.unscanned = String(decoding: value, as: UTF8.self)
            case .error:
                guard let value = string() else { return nil }
                entry.error = String(decoding: value, as: UTF8.self)
            case .content:
                guard let value = string(), let packed = Base64.decode(Array(value)) else { return nil }
                entry.content = packed
            }
            guard index < count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}"), index == count - 1 else { return nil }
            break
        }
        guard seen & 1 != 0, let path, let type, let permissions, let uid, let gid, let size, let modified, let changed,
            let device, let inode, let links
        else { return nil }
        entry.path = path
        entry.type = type
        entry.permissions = permissions
        entry.uid = uid
        entry.gid = gid
        entry.size = size
        entry.modified = modified
        entry.changed = changed
        entry.device = device
        entry.inode = inode
        entry.linkCount = links
        return entry
    }
}

extension Slice where Base == UnsafeBufferPointer<UInt8> {
    /// Byte equality with a literal, without building a String.
    func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            memcmp(expected.baseAddress!, base.baseAddress! + startIndex, count) == 0
        }
    }
}
