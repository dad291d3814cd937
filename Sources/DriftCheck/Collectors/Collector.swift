/// Which package installed each path, as the package managers' databases in the scanned root say.
package struct PackageFileIndex: Sendable {
    package struct Owner: Sendable, Equatable {
        package var package: String
        package var conffile: Bool
        /// The digest the package database records for the file's content, when it has one.
        package var expected: PackageDigest? = nil
    }

    private var owners: [[UInt8]: Owner] = [:]

    package init() {}

    package var count: Int { owners.count }

    /// Records that `package` installed `path`; the first owner of a shared path (a directory) is kept, but a
    /// conffile declaration always sticks.
    package mutating func add(_ path: [UInt8], package: String, conffile: Bool = false) {
        if var existing = owners[path] {
            if conffile && !existing.conffile {
                existing = Owner(package: package, conffile: true)
                owners[path] = existing
            }
            return
        }
        owners[path] = Owner(package: package, conffile: conffile)
    }

    package func owner(of path: [UInt8]) -> Owner? { owners[path] }

    /// Every path for which a package database records a content digest.
    package var pathsWithDigests: [[UInt8]] { owners.compactMap { $0.value.expected == nil ? nil : $0.key } }

    /// Records the package database's digest for a path that `add` already recorded.
    package mutating func setExpected(_ digest: PackageDigest, for path: [UInt8]) {
        owners[path]?.expected = digest
    }
}

/// A file digest as a package database records it: MD5 in dpkg's `*.md5sums`, usually SHA-256 in rpm headers.
package enum PackageDigest: Sendable, Equatable {
    case md5([UInt8])
    case sha256([UInt8])
}

/// What the collectors found in a root: their records, in any order, and the package file index.
package struct CollectedState: Sendable {
    package var records: [RecordEntry] = []
    package var packageFiles = PackageFileIndex()
    /// How many records each collector found ("dpkg": 523); zero means its source is absent, which is not an error.
    package var found: [(collector: String, count: Int)] = []
    /// Whether collectors should load the package databases' file digests (for `--verify-packages`).
    package var loadDigests = false

    package init() {}
}

/// One source of records beyond the filesystem: a package database, the service manager, the accounts.
/// A collector reads its source offline from the root (so it works on an image rootfs as on a live `/`); a source
/// that is absent yields nothing, which is not an error.
package protocol Collector: Sendable {
    /// The collector's name, listed in the manifest header.
    var name: String { get }
    /// Adds this collector's records (and package file ownership) to `state`.
    func collect(from root: RootDirectory, into state: inout CollectedState)
}

/// The collectors driftcheck runs, in a fixed order.
package enum Collectors {
    /// Every collector. Live-only ones (ports, modules) check themselves that the root is the running system's.
    package static let all: [any Collector] = [
        DpkgCollector(), RpmCollector(), ApkCollector(), SystemdCollector(), SysVInitCollector(), AccountCollector(),
        CronCollector(), ListeningPortCollector(), KernelModuleCollector(),
    ]

    /// Runs `collectors` over `root` and returns their records sorted in the manifest's canonical order.
    package static func run(_ collectors: [any Collector], root: RootDirectory, loadDigests: Bool = false)
        -> CollectedState
    {
        var state = CollectedState()
        state.loadDigests = loadDigests
        for collector in collectors {
            let before = state.records.count
            collector.collect(from: root, into: &state)
            state.found.append((collector.name, state.records.count - before))
        }
        state.records.sort { ManifestEntry.precedes(.record($0), .record($1)) }
        // Two collectors must never claim the same kind and name; keep the first if they do.
        var unique: [RecordEntry] = []
        for record in state.records where unique.last.map({ $0.kind != record.kind || $0.name != record.name }) ?? true
        {
            unique.append(record)
        }
        state.records = unique
        return state
    }
}

/// Helpers shared by the text-file parsers of the collectors.
enum TextLines {
    /// The lines of `bytes` decoded as UTF-8 (invalid bytes replaced), without line terminators.
    static func lines(_ bytes: [UInt8]) -> [Substring] {
        // Split the bytes, not the String: Swift treats "\r\n" as one Character.
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self))
        }
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trim(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }

    /// `text` split on runs of spaces and tabs.
    static func words(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }
}
