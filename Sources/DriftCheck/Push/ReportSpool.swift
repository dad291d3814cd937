import Glibc

/// The reports the collector has not acknowledged yet: a second name (hard link) of each signed report and its
/// signature in REPORTS/.spool (hidden, so `fleet` over a reports directory does not read them twice), so that pruning the reports directory cannot take them. Pushed oldest first, so the
/// collector, which refuses a report older than the host's newest, accepts every one. Bounded like the reports
/// directory: the newest `keep`.
struct ReportSpool {
    let path: String

    init(reportsDirectory: String) {
        path = "\(reportsDirectory)/.spool"
    }

    /// Creates the spool (0750), refusing a link or a file in its place.
    func prepare() throws(DriftCheckError) {
        if case .failure(let error) = SystemCalls.makeDirectory(path, mode: 0o750) {
            throw DriftCheckError(.io, path: path, "cannot create the push spool: \(error)")
        }
        guard case .success(let status) = SystemCalls.status(atPath: path), status.type == .dir else {
            throw DriftCheckError(.io, path: path, "the push spool is not a directory (or is a link)")
        }
    }

    /// Adds the report at `reportPath` (and its signature, first).
    func add(_ reportPath: String) throws(DriftCheckError) {
        let name = reportPath.split(separator: "/").last.map(String.init) ?? reportPath
        for (from, to) in [
            (DetachedSignature.signaturePath(for: reportPath), DetachedSignature.signaturePath(for: "\(path)/\(name)")),
            (reportPath, "\(path)/\(name)"),
        ] {
            if case .failure(let error) = SystemCalls.link(from, to: to), error.rawValue != EEXIST {
                throw DriftCheckError(.io, path: to, "cannot spool the report: \(error)")
            }
        }
    }

    /// The spooled report names, oldest first (by the time in their names, HOST-YYYYMMDDTHHMMSSZ.report.json).
    func pending() -> [String] {
        let names = (try? SystemCalls.directoryNames(atPath: path).get()) ?? []
        return names.filter { $0.hasSuffix(ReportsDirectory.reportSuffix) && !$0.hasPrefix(".") }
            .sorted { Self.time(of: $0) != Self.time(of: $1) ? Self.time(of: $0) < Self.time(of: $1) : $0 < $1 }
    }

    private static func time(of name: String) -> Substring {
        name.dropLast(ReportsDirectory.reportSuffix.count).suffix(16)
    }

    /// Removes a report (pushed, or refused for good) and its signature.
    func remove(_ name: String) {
        SystemCalls.remove("\(path)/\(name)")
        SystemCalls.remove(DetachedSignature.signaturePath(for: "\(path)/\(name)"))
    }

    /// Drops all but the newest `keep` reports; returns how many were dropped. Signatures left alone (a run killed
    /// between the two links) go too.
    @discardableResult
    func bound(keep: Int) -> Int {
        let reports = pending()
        let dropped = reports.dropLast(max(1, keep))
        for name in dropped { remove(name) }
        for name in (try? SystemCalls.directoryNames(atPath: path).get()) ?? [] where name.hasSuffix(".sig") {
            if !SystemCalls.exists("\(path)/\(name.dropLast(4))") { SystemCalls.remove("\(path)/\(name)") }
        }
        return dropped.count
    }
}
