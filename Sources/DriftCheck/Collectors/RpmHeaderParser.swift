/// One installed package as its rpm header says.
package struct RpmPackage: Equatable, Sendable {
    package var name: String
    package var epoch: Int?
    package var version: String
    package var release: String
    package var architecture: String
    /// Installed paths with whether each is a %config file.
    package var files: [(path: String, config: Bool)]
    /// The recorded SHA-256 of each file in `files` (same order), when the header uses SHA-256 file digests.
    package var sha256: [[UInt8]?] = []

    /// `[epoch:]version-release`, as rpm compares it.
    package var evr: String {
        (epoch.map { "\($0):" } ?? "") + "\(version)-\(release)"
    }

    package static func == (lhs: RpmPackage, rhs: RpmPackage) -> Bool {
        lhs.name == rhs.name && lhs.evr == rhs.evr && lhs.architecture == rhs.architecture
            && lhs.files.map(\.path) == rhs.files.map(\.path) && lhs.files.map(\.config) == rhs.files.map(\.config)
    }
}

/// Parses an rpm header blob as rpmdb stores it (rpm's "header blob": big-endian index count and data length, then
/// 16-byte index entries `tag, type, offset, count`, then the data store). Every offset and count is bounds-checked:
/// any byte sequence gives a package or nil.
package enum RpmHeaderParser {
    private enum Tag: UInt32 {
        case name = 1000, version = 1001, release = 1002, epoch = 1003, arch = 1022
        case fileDigests = 1035, fileFlags = 1037, dirIndexes = 1116, baseNames = 1117, dirNames = 1118
        case fileDigestAlgorithm = 5011
    }

    private static let typeInt32: UInt32 = 4
    private static let typeString: UInt32 = 6
    private static let typeStringArray: UInt32 = 8
    private static let typeI18NString: UInt32 = 9
    private static let configFlag: UInt32 = 1

    private struct Entry {
        let type: UInt32
        let offset: Int
        let count: Int
    }

    private static func int32(_ bytes: [UInt8], _ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8
            | UInt32(bytes[at + 3])
    }

    package static func parse(_ blob: [UInt8]) -> RpmPackage? {
        guard let indexCount = int32(blob, 0), let dataLength = int32(blob, 4),
            indexCount > 0, indexCount < 100_000, dataLength < 256 << 20
        else { return nil }
        let storeStart = 8 + Int(indexCount) * 16
        guard storeStart + Int(dataLength) <= blob.count else { return nil }
        let store = Array(blob[storeStart..<storeStart + Int(dataLength)])
        var entries: [UInt32: Entry] = [:]
        for index in 0..<Int(indexCount) {
            let base = 8 + index * 16
            guard let tag = int32(blob, base), let type = int32(blob, base + 4), let offset = int32(blob, base + 8),
                let count = int32(blob, base + 12), Int(offset) < store.count, count < 10_000_000
            else { return nil }
            entries[tag] = Entry(type: type, offset: Int(offset), count: Int(count))
        }
        func strings(_ tag: Tag) -> [String]? {
            guard let entry = entries[tag.rawValue],
                [typeString, typeStringArray, typeI18NString].contains(entry.type)
            else { return nil }
            var result: [String] = []
            var position = entry.offset
            let wanted = entry.type == typeString ? 1 : entry.count
            for _ in 0..<wanted {
                guard position < store.count, let end = store[position...].firstIndex(of: 0) else { return nil }
                result.append(String(decoding: store[position..<end], as: UTF8.self))
                position = end + 1
            }
            return result
        }
        func integers(_ tag: Tag) -> [UInt32]? {
            guard let entry = entries[tag.rawValue], entry.type == typeInt32 else { return nil }
            var result: [UInt32] = []
            for index in 0..<entry.count {
                guard let value = int32(store, entry.offset + index * 4) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let name = strings(.name)?.first, let version = strings(.version)?.first,
            let release = strings(.release)?.first
        else { return nil }
        var files: [(String, Bool)] = []
        if let baseNames = strings(.baseNames), let dirNames = strings(.dirNames),
            let dirIndexes = integers(.dirIndexes), dirIndexes.count == baseNames.count
        {
            let flags = integers(.fileFlags) ?? []
            for (index, baseName) in baseNames.enumerated() where Int(dirIndexes[index]) < dirNames.count {
                let config = index < flags.count && flags[index] & configFlag != 0
                files.append((dirNames[Int(dirIndexes[index])] + baseName, config))
            }
        }
        var package = RpmPackage(
            name: name, epoch: integers(.epoch)?.first.map(Int.init), version: version, release: release,
            architecture: strings(.arch)?.first ?? "", files: files)
        // PGPHASHALGO 8 is SHA-256; rpm 4.16+ defaults to it (1, MD5, in old headers is not used here).
        if integers(.fileDigestAlgorithm)?.first == 8, let digests = strings(.fileDigests), digests.count == files.count
        {
            package.sha256 = digests.map { text in Hex.decode(Array(text.utf8)).flatMap { $0.count == 32 ? $0 : nil } }
        }
        return package
    }
}
