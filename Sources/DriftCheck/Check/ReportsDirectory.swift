import Glibc

/// The directory where `check` keeps its results: one signed manifest and one JSON report per run, named
/// HOST-TIME so that names sort by time per host, and a lock file that serialises runs.
struct ReportsDirectory {
    let path: String

    static let lockName = ".driftcheck.lock"
    static let manifestSuffix = ".manifest.jsonl"
    static let reportSuffix = ".report.json"

    /// The file-name stem of a run: host name (made safe) and UTC time, so names sort by time per host.
    static func stem(host: String, time: String) -> String {
        hostPrefix(host) + time.filter { $0 != "-" && $0 != ":" }
    }

    /// The start of every file name of `host`'s runs ("web-01-").
    static func hostPrefix(_ host: String) -> String {
        String(host.map { $0.isLetter || $0.isNumber || "-._".contains($0) ? $0 : "_" }) + "-"
    }

    /// Creates the directory (mode 0750) when it is missing, and refuses one that others may write to: anyone
    /// could plant files (or links) where the signed results are kept, and remove them.
    func prepare() throws(DriftCheckError) {
        if case .failure(let error) = SystemCalls.makeDirectory(path, mode: 0o750) {
            throw DriftCheckError(.io, path: path, "cannot create the reports directory: \(error)")
        }
        let status: FileStatus
        switch SystemCalls.status(atPath: path) {
        case .success(let found): status = found
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot read the reports directory: \(error)")
        }
        guard status.type == .dir else {
            throw DriftCheckError(.usage, path: path, "the reports directory is not a directory (or is a link)")
        }
        if status.permissions & 0o002 != 0 {
            throw DriftCheckError(
                .usage, path: path,
                "the reports directory is writable by others; give driftcheck a directory of its own (chmod o-w)")
        }
    }

    /// Takes the directory's lock, held until the returned descriptor is dropped; when another run holds it,
    /// fails at once or, with `wait`, waits for it (telling `onWaiting` first).
    func lock(wait: Bool = false, onWaiting: (() -> Void)? = nil) throws(DriftCheckError) -> FileDescriptor {
        let lockPath = "\(path)/\(Self.lockName)"
        let descriptor: FileDescriptor
        switch SystemCalls.open(lockPath, flags: O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o600) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: lockPath, "cannot open the lock file: \(error)")
        }
        var result = SystemCalls.lockExclusively(descriptor, waiting: false)
        if case .failure(let error) = result, error.rawValue == EWOULDBLOCK, wait {
            onWaiting?()
            result = SystemCalls.lockExclusively(descriptor, waiting: true)
        }
        switch result {
        case .success: return descriptor
        case .failure(let error) where error.rawValue == EWOULDBLOCK:
            throw DriftCheckError(
                .io, path: lockPath, "another driftcheck check is running (it holds this lock); use --wait to queue")
        case .failure(let error): throw DriftCheckError(.io, path: lockPath, "cannot lock: \(error)")
        }
    }

    /// The names in the directory, sorted (none when it cannot be read).
    func names() -> [String] {
        (try? SystemCalls.directoryNames(atPath: path).get()) ?? []
    }

    /// The manifests of the host whose file names start with `hostPrefix`, oldest first: exactly
    /// PREFIX + YYYYMMDDTHHMMSSZ + suffix, so that host "web" never takes "web-3"'s manifests.
    func manifests(hostPrefix: String) -> [String] {
        names().filter { name in
            guard name.hasPrefix(hostPrefix), name.hasSuffix(Self.manifestSuffix) else { return false }
            let time = Array(name.dropFirst(hostPrefix.count).dropLast(Self.manifestSuffix.count).utf8)
            return time.count == 16 && time[8] == UInt8(ascii: "T") && time[15] == UInt8(ascii: "Z")
                && time.enumerated().allSatisfy {
                    $0.offset == 8 || $0.offset == 15 || ($0.element >= 0x30 && $0.element <= 0x39)
                }
        }
    }

    /// When the newest report of the host whose names start with `hostPrefix` was made (its `generated`, seconds
    /// since the epoch); nil when there is none or it cannot be read.
    func newestReportTime(hostPrefix: String) -> Int? {
        guard
            // Exactly PREFIX + YYYYMMDDTHHMMSSZ + suffix: host "web" never takes "web-3"'s reports.
            let name = names().filter({
                $0.hasPrefix(hostPrefix) && $0.hasSuffix(Self.reportSuffix)
                    && $0.utf8.count == hostPrefix.utf8.count + 16 + Self.reportSuffix.utf8.count
            }).max(),
            case .success(let bytes) = SystemCalls.readRegularFile("\(path)/\(name)", limit: 64 << 20),
            let report = try? JSONParser.parse(bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes),
            let generated = report["generated"]?.stringValue
        else { return nil }
        return UTCTime.seconds(generated)
    }

    /// A stem no earlier run used: names carry the time to the second, and a run queued behind another (--wait)
    /// may start within the same second, so it waits for a fresh name rather than replace the other's results.
    func freshStem(host: String) -> String {
        var stem = Self.stem(host: host, time: HostInfo.now)
        while SystemCalls.exists("\(path)/\(stem)\(Self.manifestSuffix)")
            || SystemCalls.exists("\(path)/\(stem)\(Self.reportSuffix)")
        {
            usleep(100_000)
            stem = Self.stem(host: host, time: HostInfo.now)
        }
        return stem
    }

    /// Removes what killed runs left (temporary files) and all but the newest `keep` manifests and reports.
    /// Runs under the lock, so no other run is writing.
    func prune(keep: Int) {
        let names = names()
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") { SystemCalls.remove("\(path)/\(name)") }
        for suffix in [Self.manifestSuffix, Self.reportSuffix] {
            let runs = names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
            for name in runs.dropLast(keep) {
                SystemCalls.remove("\(path)/\(name)")
                SystemCalls.remove("\(path)/\(name).sig")
            }
        }
        // A signature whose file is gone (a run killed between the two renames) is removed too.
        for name in self.names()
        where name.hasSuffix(Self.manifestSuffix + ".sig") || name.hasSuffix(Self.reportSuffix + ".sig") {
            if !SystemCalls.exists("\(path)/\(String(name.dropLast(4)))") { SystemCalls.remove("\(path)/\(name)") }
        }
    }
}
