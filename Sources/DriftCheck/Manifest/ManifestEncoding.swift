import Glibc

/// The JSON Lines form of manifest lines: one fixed key order, no optional whitespace, so the same state gives
/// the same bytes. Decoding accepts exactly what encoding writes, with a message naming the key that is wrong.
package enum ManifestEncoding {
    package static func encode(_ header: ManifestHeader, into json: inout JSONBuilder) {
        json.reset()
        json.openObject()
        json.field("format", ManifestHeader.format)
        if let role = header.role { json.field("role", role.rawValue) }
        json.field("image", header.image)
        json.field("host", header.host)
        json.field("time", header.time)
        json.field("tool", header.tool)
        json.field("root", header.root)
        json.key("collectors")
        json.stringArray(header.collectors)
        json.field("cross_mounts", header.crossMounts)
        json.field("live", header.live)
        if let policy = header.policy { json.field("policy", policy) }
        if let started = header.started { json.field("started", started.description) }
        json.field("incremental", header.incremental)
        json.key("found")
        json.openObject()
        for (collector, count) in header.found { json.field(collector, count) }
        json.closeObject()
        json.closeObject()
    }

    package static func encode(_ entry: FileEntry, into json: inout JSONBuilder) {
        // Written once per file of every scan, so the keys are literals and the values go straight into the buffer;
        // the bytes are what the generic builder would write (the tests compare the two).
        json.reset()
        json.rawByteString(#"{"kind":"file","path":"#, entry.path, base64Key: #","path_b64":"#)
        json.rawField(#","type":"#, entry.type.rawValue)
        json.raw(#","mode":"#)
        if entry.permissions <= 0o7777 {
            json.raw("\"")
            json.rawDigits(UInt64(entry.permissions), width: 4, radix: 8)
            json.raw("\"")
        } else {
            json.rawString(entry.modeText)
        }
        json.raw(#","uid":"#)
        json.rawNumber(entry.uid)
        json.raw(#","gid":"#)
        json.rawNumber(entry.gid)
        json.raw(#","size":"#)
        json.rawNumber(entry.size)
        if let rdev = entry.deviceNumberText { json.rawField(#","rdev":"#, rdev) }
        if let digest = entry.sha256 {
            json.raw(entry.blockDigest ? #","sha256_blocks":"# : #","sha256":"#)
            json.rawHex(digest)
        }
        if let target = entry.target { json.rawByteString(#","target":"#, target, base64Key: #","target_b64":"#) }
        if let capabilities = entry.capabilities {
            json.raw(#","caps":"#)
            json.rawHex(capabilities)
        }
        if let package = entry.package { json.rawField(#","pkg":"#, package) }
        if entry.conffile { json.raw(#","conffile":true"#) }
        if let check = entry.packageCheck { json.rawField(#","pkg_check":"#, check.rawValue) }
        if let unscanned = entry.unscanned { json.rawField(#","unscanned":"#, unscanned) }
        if let error = entry.error { json.rawField(#","error":"#, error) }
        // Last: what identifies the inode and its times, which differ between an image and a host built from it and
        // are not compared. The comparer skips decoding lines whose bytes agree up to here (``comparedPrefixEnd``).
        json.raw(#","mtime":"#)
        rawTimestamp(entry.modified, into: &json)
        json.raw(#","ctime":"#)
        rawTimestamp(entry.changed, into: &json)
        json.raw(#","dev":"#)
        json.rawNumber(entry.device)
        json.raw(#","ino":"#)
        json.rawNumber(entry.inode)
        json.raw(#","nlink":"#)
        json.rawNumber(entry.linkCount)
        if let content = entry.content { json.rawField(#","content_gz":"#, Base64.encode(content)) }
        json.raw("}")
    }

    /// A timestamp as ``Timestamp/description`` writes it, quoted: seconds, a dot, nine digits of nanoseconds.
    private static func rawTimestamp(_ time: Timestamp, into json: inout JSONBuilder) {
        guard (0..<1_000_000_000).contains(time.nanoseconds) else {
            json.rawString(time.description)
            return
        }
        json.raw("\"")
        if time.seconds < 0 { json.raw("-") }
        json.rawNumber(time.seconds.magnitude)
        json.raw(".")
        json.rawDigits(UInt64(time.nanoseconds), width: 9, radix: 10)
        json.raw("\"")
    }

    /// Where the compared part of a file line ends: the offset of `,"mtime":"`, or nil when the line is not a plain
    /// file line, names an unscanned directory or carries an error (which the comparer must see decoded: an entry
    /// that could not be read is reported even when it failed the same way on both sides).
    static func comparedPrefixEnd(_ line: [UInt8]) -> Int? {
        line.withUnsafeBytes { raw -> Int? in
            guard raw.count > 40, memcmp(raw.baseAddress!, fileLinePrefix, fileLinePrefix.count) == 0,
                let end = lastOccurrence(of: mtimeMarker, in: raw)
            else { return nil }
            let compared = UnsafeRawBufferPointer(rebasing: raw[0..<end])
            return compared.firstOffset(of: unscannedMarker) == nil && compared.firstOffset(of: errorMarker) == nil
                ? end : nil
        }
    }

    /// The offset of the last occurrence of `marker` in `bytes` (the mtime key sits near the end of a line).
    private static func lastOccurrence(of marker: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        var start = bytes.count - marker.count
        while start >= 0 {
            if bytes[start] == marker[0], memcmp(bytes.baseAddress! + start, marker, marker.count) == 0 { return start }
            start -= 1
        }
        return nil
    }

    private static let fileLinePrefix = Array(#"{"kind":"file","path":""#.utf8)
    private static let mtimeMarker = Array(#","mtime":""#.utf8)
    static var mtimeMarkerLength: Int { mtimeMarker.count }
    private static let unscannedMarker = Array(#""unscanned":"#.utf8)
    private static let errorMarker = Array(#""error":"#.utf8)

    package static func encode(_ record: RecordEntry, into json: inout JSONBuilder) {
        json.reset()
        json.openObject()
        json.field("kind", record.kind.name)
        json.field("name", record.name)
        for field in record.fields {
            json.key(field.key)
            value(field.value, into: &json)
        }
        json.closeObject()
    }

    package static func value(_ value: RecordValue, into json: inout JSONBuilder) {
        switch value {
        case .text(let text): json.string(text)
        case .number(let number): json.number(number)
        case .flag(let flag): json.bool(flag)
        case .list(let items):
            json.stringArray(items)
        }
    }

    package static func encode(_ entry: ManifestEntry, into json: inout JSONBuilder) {
        switch entry {
        case .file(let file): encode(file, into: &json)
        case .record(let record): encode(record, into: &json)
        }
    }

    package static func encode(_ trailer: ManifestTrailer, into json: inout JSONBuilder) {
        json.reset()
        json.openObject()
        json.field("end", ManifestTrailer.marker)
        json.field("entries", trailer.entries)
        json.field("errors", trailer.errors)
        json.field("reused", trailer.reused)
        json.closeObject()
    }

    /// Why a line could not be decoded (the reader adds file and line number).
    package struct Failure: Error {
        package let message: String
        init(_ message: String) { self.message = message }
    }

    private static func require(_ object: JSONValue, _ key: String) throws(Failure) -> JSONValue {
        guard let value = object[key] else { throw Failure("missing \"\(key)\"") }
        return value
    }

    private static func string(_ object: JSONValue, _ key: String) throws(Failure) -> [UInt8] {
        guard let bytes = try require(object, key).stringBytes else { throw Failure("\"\(key)\" is not a string") }
        return bytes
    }

    private static func optionalString(_ object: JSONValue, _ key: String) throws(Failure) -> [UInt8]? {
        guard object[key] != nil else { return nil }
        return try string(object, key)
    }

    private static func integer<T: FixedWidthInteger>(_ object: JSONValue, _ key: String, as: T.Type) throws(Failure)
        -> T
    {
        guard let value = try require(object, key).integerValue, let exact = T(exactly: value) else {
            throw Failure("\"\(key)\" is not an integer in range")
        }
        return exact
    }

    private static func byteString(_ object: JSONValue, _ key: String) throws(Failure) -> [UInt8]? {
        guard let readable = try optionalString(object, key) else { return nil }
        guard let encoded = try optionalString(object, key + "_b64") else { return readable }
        guard let bytes = Base64.decode(encoded) else { throw Failure("\"\(key)_b64\" is not base64") }
        return bytes
    }

    private static func timestamp(_ object: JSONValue, _ key: String) throws(Failure) -> Timestamp {
        let text = String(decoding: try string(object, key), as: UTF8.self)
        guard let time = Timestamp(parsing: text) else { throw Failure("\"\(key)\" is not SECONDS.NANOSECONDS") }
        return time
    }

    private static func hex(_ object: JSONValue, _ key: String, count: Int? = nil) throws(Failure) -> [UInt8]? {
        guard let text = try optionalString(object, key) else { return nil }
        guard let bytes = Hex.decode(text), count == nil || bytes.count == count else {
            throw Failure("\"\(key)\" is not lower-case hex of the right length")
        }
        return bytes
    }

    package static func decodeHeader(_ object: JSONValue) throws(Failure) -> ManifestHeader {
        let format = String(decoding: try string(object, "format"), as: UTF8.self)
        guard format == ManifestHeader.format else {
            throw Failure("format \"\(format)\" is not \"\(ManifestHeader.format)\"")
        }
        var image: String? = nil
        if let value = object["image"], value != .null {
            guard let text = value.stringValue else { throw Failure("\"image\" is not a string") }
            image = text
        }
        guard case .array(let list) = try require(object, "collectors") else {
            throw Failure("\"collectors\" is not an array")
        }
        var collectors: [String] = []
        for item in list {
            guard let name = item.stringValue else { throw Failure("\"collectors\" holds a non-string") }
            collectors.append(name)
        }
        guard case .bool(let crossMounts) = try require(object, "cross_mounts") else {
            throw Failure("\"cross_mounts\" is not a boolean")
        }
        var header = ManifestHeader(
            image: image,
            host: String(decoding: try string(object, "host"), as: UTF8.self),
            time: String(decoding: try string(object, "time"), as: UTF8.self),
            tool: String(decoding: try string(object, "tool"), as: UTF8.self),
            root: String(decoding: try string(object, "root"), as: UTF8.self),
            collectors: collectors, crossMounts: crossMounts)
        if let role = object["role"] {
            guard let text = role.stringValue, let known = ManifestRole(rawValue: text) else {
                throw Failure("\"role\" is not \"baseline\" or \"host\"")
            }
            header.role = known
        }
        if let policy = object["policy"] {
            guard let digest = policy.stringValue else { throw Failure("\"policy\" is not a string") }
            header.policy = digest
        }
        if let started = object["started"] {
            guard let text = started.stringValue, let time = Timestamp(parsing: text) else {
                throw Failure("\"started\" is not SECONDS.NANOSECONDS")
            }
            header.started = time
        }
        if let incremental = object["incremental"] {
            guard case .bool(let flag) = incremental else { throw Failure("\"incremental\" is not a boolean") }
            header.incremental = flag
        }
        if let live = object["live"] {
            guard case .bool(let flag) = live else { throw Failure("\"live\" is not a boolean") }
            header.live = flag
        }
        if let found = object["found"] {
            guard case .object(let counts) = found else { throw Failure("\"found\" is not an object") }
            for (collector, count) in counts {
                guard let number = count.integerValue, number >= 0 else { throw Failure("\"found\" holds a non-count") }
                header.found.append((collector, Int(number)))
            }
        }
        return header
    }

    package static func decodeEntry(_ object: JSONValue) throws(Failure) -> ManifestEntry {
        let kind = String(decoding: try string(object, "kind"), as: UTF8.self)
        guard kind == EntryKind.file.name else { return .record(try decodeRecord(kind, object)) }
        return .file(try decodeFile(object))
    }

    private static func decodeRecord(_ kind: String, _ object: JSONValue) throws(Failure) -> RecordEntry {
        guard !kind.isEmpty, kind.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else {
            throw Failure("\"kind\" is not a lower-case word")
        }
        guard case .object(let members) = object else { throw Failure("not an object") }
        let name = String(decoding: try string(object, "name"), as: UTF8.self)
        var fields: [RecordField] = []
        for (key, value) in members where key != "kind" && key != "name" {
            switch value {
            case .string(let bytes): fields.append(RecordField(key, .text(String(decoding: bytes, as: UTF8.self))))
            case .integer(let number): fields.append(RecordField(key, .number(number)))
            case .bool(let flag): fields.append(RecordField(key, .flag(flag)))
            case .array(let items):
                var texts: [String] = []
                for item in items {
                    guard let text = item.stringValue else { throw Failure("\"\(key)\" holds a non-string") }
                    texts.append(text)
                }
                fields.append(RecordField(key, .list(texts)))
            default: throw Failure("\"\(key)\" has an unsupported value")
            }
        }
        return RecordEntry(kind: EntryKind(kind), name: name, fields: fields)
    }

    private static func decodeFile(_ object: JSONValue) throws(Failure) -> FileEntry {
        guard let path = try byteString(object, "path"), path.first == UInt8(ascii: "/") else {
            throw Failure("\"path\" is not an absolute path")
        }
        let typeName = String(decoding: try string(object, "type"), as: UTF8.self)
        guard let type = FileType(rawValue: typeName) else { throw Failure("unknown type \"\(typeName)\"") }
        let modeText = String(decoding: try string(object, "mode"), as: UTF8.self)
        guard modeText.count == 4, let permissions = UInt32(modeText, radix: 8) else {
            throw Failure("\"mode\" is not four octal digits")
        }
        var entry = FileEntry(
            path: path, type: type, permissions: permissions,
            uid: try integer(object, "uid", as: UInt32.self), gid: try integer(object, "gid", as: UInt32.self),
            size: try integer(object, "size", as: Int64.self),
            modified: try timestamp(object, "mtime"), changed: try timestamp(object, "ctime"),
            device: try integer(object, "dev", as: UInt64.self), inode: try integer(object, "ino", as: UInt64.self),
            linkCount: try integer(object, "nlink", as: UInt64.self))
        if let rdev = try optionalString(object, "rdev") {
            guard let number = FileEntry.deviceNumber(parsing: rdev) else {
                throw Failure("\"rdev\" is not MAJOR:MINOR")
            }
            entry.deviceNumber = number
        }
        entry.sha256 = try hex(object, "sha256", count: 32)
        if let blocks = try hex(object, "sha256_blocks", count: 32) {
            guard entry.sha256 == nil else { throw Failure("\"sha256\" and \"sha256_blocks\" together") }
            entry.sha256 = blocks
            entry.blockDigest = true
        }
        entry.target = try byteString(object, "target")
        entry.capabilities = try hex(object, "caps")
        entry.package = try optionalString(object, "pkg").map { String(decoding: $0, as: UTF8.self) }
        if let check = try optionalString(object, "pkg_check") {
            let text = String(decoding: check, as: UTF8.self)
            guard let check = PackageCheck(rawValue: text) else {
                throw Failure("\"pkg_check\" is not ok or mismatch")
            }
            entry.packageCheck = check
        }
        if let conffile = object["conffile"] {
            guard conffile == .bool(true) else { throw Failure("\"conffile\" is not true") }
            entry.conffile = true
        }
        entry.unscanned = try optionalString(object, "unscanned").map { String(decoding: $0, as: UTF8.self) }
        entry.error = try optionalString(object, "error").map { String(decoding: $0, as: UTF8.self) }
        if let content = try optionalString(object, "content_gz") {
            guard let packed = Base64.decode(content) else { throw Failure("\"content_gz\" is not base64") }
            entry.content = packed
        }
        return entry
    }

    package static func decodeTrailer(_ object: JSONValue) throws(Failure) -> ManifestTrailer? {
        guard let marker = object["end"] else { return nil }
        guard marker.stringValue == ManifestTrailer.marker else { throw Failure("unknown end marker") }
        var trailer = ManifestTrailer(
            entries: try integer(object, "entries", as: Int.self), errors: try integer(object, "errors", as: Int.self))
        if object["reused"] != nil { trailer.reused = try integer(object, "reused", as: Int.self) }
        return trailer
    }
}
