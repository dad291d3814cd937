/// One member of a tar stream, with the POSIX, GNU and PAX extensions merged in.
struct TarMember {
    enum Kind: Equatable {
        case file, hardLink, symlink, char, block, directory, fifo
    }

    /// The name as stored: raw bytes, possibly with a leading "./" or "/".
    var name: [UInt8]
    var kind: Kind
    /// Permission bits (mode & 07777).
    var permissions: UInt32
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var modified: Timestamp
    /// The target of a symbolic or hard link.
    var linkName: [UInt8]
    var deviceMajor: UInt64
    var deviceMinor: UInt64
    /// Extended attributes from PAX records (SCHILY.xattr.NAME, LIBARCHIVE.xattr.NAME).
    var extendedAttributes: [String: [UInt8]] = [:]
}

/// Reads a tar stream (ustar, GNU and PAX) member by member without extracting anything. A member's content must
/// be read (``readContent(_:)``) or is skipped by the next ``next()``. Refuses what is not a well-formed archive:
/// bad checksums, malformed numbers, truncation inside a header or data, oversized extension records. Accepts an
/// archive that ends at a header boundary or inside the final padding without end blocks (as Go's reader, and so
/// docker and umoci, do: umoci 0.4.7 writes such layers).
final class TarReader {
    private let source: any ByteStream
    private let path: String
    private var buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var capacity = 1 << 16
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// Data bytes of the current member not read yet, and its padding.
    private var remaining: Int64 = 0
    private var padding = 0
    /// Bytes taken from the source so far.
    private var sourceOffset: Int64 = 0
    /// Where the current member's data starts in the stream (for reading a member of an uncompressed archive again
    /// by range).
    private(set) var dataOffset: Int64 = 0
    private static let maximumExtension = 1 << 20

    init(_ source: any ByteStream, path: String) {
        self.source = source
        self.path = path
    }

    deinit {
        buffer.deallocate()
    }

    private func malformed(_ message: String) -> DriftCheckError {
        DriftCheckError(.malformed, path: path, message)
    }

    /// Makes at least `count` bytes available in the buffer unless the source ends first; returns how many are.
    private func fill(_ count: Int) throws(DriftCheckError) -> Int {
        if end - start >= count || sourceEnded { return end - start }
        if start > 0 {
            buffer.copyMemory(from: buffer + start, byteCount: end - start)
            end -= start
            start = 0
        }
        if capacity < count {
            let larger = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            larger.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = larger
            capacity = count
        }
        while end - start < count {
            let read = try source.read(into: buffer + end, count: capacity - end)
            if read == 0 {
                sourceEnded = true
                break
            }
            end += read
            sourceOffset += Int64(read)
        }
        return end - start
    }

    /// Skips `count` bytes; returns how many could be skipped before the end.
    private func skip(_ count: Int64) throws(DriftCheckError) -> Int64 {
        var left = count
        while left > 0 {
            let available = try fill(1)
            if available == 0 { break }
            let step = Int(min(Int64(available), left))
            start += step
            left -= Int64(step)
        }
        return count - left
    }

    /// Reads the rest of the current member's data, calling `consume` with each chunk.
    func readContent(_ consume: (UnsafeRawBufferPointer) throws(DriftCheckError) -> Void) throws(DriftCheckError) {
        while remaining > 0 {
            let available = try fill(1)
            if available == 0 { throw malformed("truncated inside a member's data") }
            let step = Int(min(Int64(available), remaining))
            try consume(UnsafeRawBufferPointer(start: buffer + start, count: step))
            start += step
            remaining -= Int64(step)
        }
    }

    /// The whole content of a small member (extension records).
    private func readSmallContent(_ size: Int64) throws(DriftCheckError) -> [UInt8] {
        guard size <= Int64(Self.maximumExtension) else { throw malformed("an extension record of \(size) bytes") }
        var bytes: [UInt8] = []
        try readContent { chunk throws(DriftCheckError) in bytes.append(contentsOf: chunk) }
        try skipPadding(required: true)
        return bytes
    }

    private func skipPadding(required: Bool) throws(DriftCheckError) {
        let skipped = try skip(Int64(padding))
        if required && skipped < Int64(padding) { throw malformed("truncated after an extension record") }
        padding = 0
    }

    /// The next member, or nil at the end of the archive.
    func next() throws(DriftCheckError) -> TarMember? {
        // Finish the previous member: unread data, then padding (EOF inside the final padding is a clean end).
        if remaining > 0 {
            if try skip(remaining) < remaining { throw malformed("truncated inside a member's data") }
            remaining = 0
        }
        try skipPadding(required: false)
        var pax: [String: [UInt8]] = [:]
        var longName: [UInt8]? = nil
        var longLink: [UInt8]? = nil
        var pendingExtension = false
        var extensionBytes: Int64 = 0
        while true {
            let available = try fill(512)
            if available == 0 {
                if pendingExtension { throw malformed("truncated after an extension record") }
                return nil
            }
            guard available >= 512 else { throw malformed("truncated inside a header block") }
            let header = Array(UnsafeRawBufferPointer(start: buffer + start, count: 512))
            start += 512
            if header.allSatisfy({ $0 == 0 }) {
                if pendingExtension { throw malformed("an end block right after an extension record") }
                // A second zero block, or the end of the stream, ends the archive; anything else is an error.
                let after = try fill(512)
                if after == 0 { return nil }
                guard after >= 512 else { throw malformed("truncated inside a header block") }
                guard UnsafeRawBufferPointer(start: buffer + start, count: 512).allSatisfy({ $0 == 0 }) else {
                    throw malformed("a header after a single end block")
                }
                return nil
            }
            try Self.checkChecksum(header, malformed)
            let type = header[156]
            let size = try number(header[124..<136], "size")
            guard size >= 0 else { throw malformed("a negative size") }
            remaining = size
            padding = Int((512 - size % 512) % 512)
            switch type {
            case UInt8(ascii: "x"):
                extensionBytes += size
                guard extensionBytes <= Int64(Self.maximumExtension) else {
                    throw malformed("extension records of more than \(Self.maximumExtension) bytes for one member")
                }
                pax.merge(try Self.parsePAX(readSmallContent(size), malformed)) { $1 }
                pendingExtension = true
                continue
            case UInt8(ascii: "g"):
                _ = try readSmallContent(size)  // global records do not describe members
                continue
            case UInt8(ascii: "L"):
                longName = Self.cString(try readSmallContent(size)[...])
                pendingExtension = true
                continue
            case UInt8(ascii: "K"):
                longLink = Self.cString(try readSmallContent(size)[...])
                pendingExtension = true
                continue
            default: break
            }
            dataOffset = sourceOffset - Int64(end - start)
            var member = try member(from: header)
            if let longName { member.name = longName }
            if let longLink { member.linkName = longLink }
            try apply(pax, to: &member)
            // Only regular files carry data; other kinds with a size field are refused rather than misread.
            if member.kind != .file {
                guard remaining == 0 else { throw malformed("a \(member.kind) member with \(remaining) bytes of data") }
            }
            return member
        }
    }

    private func member(from header: [UInt8]) throws(DriftCheckError) -> TarMember {
        let kind: TarMember.Kind
        switch header[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .char
        case UInt8(ascii: "4"): kind = .block
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case let other: throw malformed("unsupported member type '\(String(UnicodeScalar(other)))'")
        }
        var name = Self.cString(header[0..<100])
        let posix = header[257..<263].elementsEqual(Array("ustar\0".utf8))
        if posix {
            let prefix = Self.cString(header[345..<500])
            if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
        }
        return TarMember(
            name: name, kind: kind, permissions: UInt32(try number(header[100..<108], "mode") & 0o7777),
            uid: UInt32(clamping: try number(header[108..<116], "uid")),
            gid: UInt32(clamping: try number(header[116..<124], "gid")), size: remaining,
            modified: Timestamp(seconds: try number(header[136..<148], "mtime"), nanoseconds: 0),
            linkName: Self.cString(header[157..<257]),
            deviceMajor: UInt64(clamping: try number(header[329..<337], "devmajor")),
            deviceMinor: UInt64(clamping: try number(header[337..<345], "devminor")))
    }

    private func apply(_ pax: [String: [UInt8]], to member: inout TarMember) throws(DriftCheckError) {
        for (key, value) in pax {
            let text = String(decoding: value, as: UTF8.self)
            switch key {
            case "path": member.name = value
            case "linkpath": member.linkName = value
            case "uid", "gid", "size":
                guard let number = Int64(text), number >= 0 else { throw malformed("PAX \(key) \"\(text)\"") }
                if key == "uid" { member.uid = UInt32(clamping: number) }
                if key == "gid" { member.gid = UInt32(clamping: number) }
                if key == "size" {
                    member.size = number
                    remaining = number
                    padding = Int((512 - number % 512) % 512)
                }
            case "mtime":
                guard let time = Self.paxTime(text) else { throw malformed("PAX mtime \"\(text)\"") }
                member.modified = time
            default:
                if key.hasPrefix("GNU.sparse.") {
                    throw malformed("a GNU sparse member (its data is a sparse map, not the file's content)")
                }
                for prefix in ["SCHILY.xattr.", "LIBARCHIVE.xattr."] where key.hasPrefix(prefix) {
                    let name = String(key.dropFirst(prefix.count))
                    if prefix == "LIBARCHIVE.xattr." {
                        // bsdtar: base64 without padding; SCHILY holds the same value raw and wins when present.
                        if member.extendedAttributes[name] == nil, let decoded = Base64.decode(Self.padded(value)) {
                            member.extendedAttributes[name] = decoded
                        }
                    } else {
                        member.extendedAttributes[name] = value
                    }
                }
            }
        }
    }

    private static func padded(_ base64: [UInt8]) -> [UInt8] {
        base64 + [UInt8](repeating: UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
    }

    /// "1700000000.25" or "-1.25" (1.25 s before the epoch).
    static func paxTime(_ text: String) -> Timestamp? {
        let negative = text.hasPrefix("-")
        let body = negative ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            let seconds = Int64(parts[0])
        else { return nil }
        var nanoseconds: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(9)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else {
                return nil
            }
            nanoseconds = value * Int64(pow10(9 - digits.count))
        }
        if !negative { return Timestamp(seconds: seconds, nanoseconds: nanoseconds) }
        if nanoseconds == 0 { return Timestamp(seconds: -seconds, nanoseconds: 0) }
        return Timestamp(seconds: -seconds - 1, nanoseconds: 1_000_000_000 - nanoseconds)
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    /// PAX records: "LEN KEY=VALUE\n", LEN counting the whole record.
    static func parsePAX(_ body: [UInt8], _ malformed: (String) -> DriftCheckError) throws(DriftCheckError)
        -> [String: [UInt8]]
    {
        var records: [String: [UInt8]] = [:]
        var index = 0
        while index < body.count {
            guard let space = body[index...].firstIndex(of: UInt8(ascii: " ")), space > index,
                let length = Int(String(decoding: body[index..<space], as: UTF8.self)), length > space - index + 1,
                length <= body.count - index, body[index + length - 1] == 0x0A
            else { throw malformed("a malformed PAX record") }
            let record = body[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw malformed("a PAX record without '='")
            }
            records[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] = Array(
                record[(equals + 1)...])
            index += length
        }
        return records
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(bytes.prefix { $0 != 0 })
    }

    static func checkChecksum(_ header: [UInt8], _ malformed: (String) -> DriftCheckError) throws(DriftCheckError) {
        var unsigned = 0
        var signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        let stored = try parseNumber(header[148..<156], "checksum", malformed)
        guard stored == Int64(unsigned) || stored == Int64(signed) else {
            throw malformed("a header checksum mismatch")
        }
    }

    private func number(_ field: ArraySlice<UInt8>, _ what: String) throws(DriftCheckError) -> Int64 {
        try Self.parseNumber(field, what, malformed)
    }

    /// Octal ASCII (terminated by NUL or space, or filling the field; empty is 0) or GNU base-256.
    static func parseNumber(_ field: ArraySlice<UInt8>, _ what: String, _ malformed: (String) -> DriftCheckError)
        throws(DriftCheckError) -> Int64
    {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            // Base-256: big-endian two's complement; the marker bit is the sign bit of a negative number.
            let negative = first & 0x40 != 0
            var value: Int64 = negative ? -1 : 0
            for (offset, byte) in field.enumerated() {
                let bits = offset == 0 && !negative ? byte & 0x7F : byte
                guard value <= Int64.max >> 8, value >= Int64.min >> 8 else {
                    throw malformed("\(what) does not fit in 64 bits")
                }
                value = value << 8 | Int64(bits)
            }
            return value
        }
        var digits = field.drop { $0 == 0x20 || $0 == 0 }
        if let stop = digits.firstIndex(where: { $0 == 0 || $0 == 0x20 }) {
            guard digits[stop...].allSatisfy({ $0 == 0 || $0 == 0x20 }) else {
                throw malformed("\(what) is not a number")
            }
            digits = digits[..<stop]
        }
        var value: Int64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit), value < Int64.max >> 3 else {
                throw malformed("\(what) is not an octal number")
            }
            value = value << 3 | Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}
