#if canImport(Glibc)
    import Glibc
#endif

/// The latest report of one host, as the fleet view reads it from a JSON report.
package struct HostSummary: Sendable {
    package var host: String
    package var image: String
    package var generated: String
    package var action: String
    package var supersededBy: String?
    package var imageMismatch: Bool
    package var counts: [Severity: Int]
    /// One line per top-level drift item: "kind name change [fields]".
    package var changes: [String]
    package var path: String

    /// A ranking score: critical items weigh most.
    package var score: Int {
        (counts[.critical] ?? 0) * 1000 + (counts[.high] ?? 0) * 100 + (counts[.medium] ?? 0) * 10 + (counts[.low] ?? 0)
    }

    package var isClean: Bool { changes.isEmpty }
}

/// A change seen on hosts of one image, and what to do about it.
package struct FleetChange: Sendable {
    package var image: String
    package var change: String
    package var hosts: [String]
    /// "promote" (most hosts of the image made it: bake it into the next image) or "snowflake" (rebuild those hosts).
    package var verdict: String
}

/// Per-image view of a fleet from the hosts' latest reports: who is clean, which changes every host made (promote
/// them into the next image) and which only a few made (snowflakes: rebuild them), which images are superseded, and
/// which hosts drifted most.
package struct FleetView: Sendable {
    package var hosts: [HostSummary]
    package var changes: [FleetChange]
    /// Files that could not be read as reports, with why.
    package var skipped: [String]

    /// A change is promoted when at least this share of an image's hosts (and at least two) made it.
    package static let promoteShare = 0.5

    package var images: [String] { Array(Set(hosts.map(\.image))).sorted() }

    package func hosts(of image: String) -> [HostSummary] { hosts.filter { $0.image == image } }

    /// Builds the view from host summaries (the newest per host is kept).
    package init(reports: [HostSummary], skipped: [String] = []) {
        var latest: [String: HostSummary] = [:]
        for report in reports where latest[report.host].map({ $0.generated < report.generated }) ?? true {
            latest[report.host] = report
        }
        hosts = latest.values.sorted { $0.host < $1.host }
        self.skipped = skipped
        var changes: [FleetChange] = []
        for image in Set(hosts.map(\.image)).sorted() {
            let members = hosts.filter { $0.image == image }
            var seen: [String: [String]] = [:]
            for host in members {
                for change in Set(host.changes) { seen[change, default: []].append(host.host) }
            }
            for (change, who) in seen.sorted(by: { $0.key < $1.key }) {
                let share = Double(who.count) / Double(members.count)
                let promote = who.count >= 2 && share >= FleetView.promoteShare
                changes.append(
                    FleetChange(
                        image: image, change: change, hosts: who.sorted(), verdict: promote ? "promote" : "snowflake"))
            }
        }
        self.changes = changes
    }

    /// Hosts ranked by drift, most drifted first (clean hosts left out).
    package var ranking: [HostSummary] {
        hosts.filter { !$0.isClean }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.host < $1.host }
    }

    /// Reads every `*.report.json` in `directory` and in its immediate subdirectories.
    package static func load(_ directory: String) throws(DriftCheckError) -> FleetView {
        var files: [String] = []
        func list(_ path: String) -> [String]? {
            guard case .success(let names) = SystemCalls.directoryNames(atPath: path) else { return nil }
            return names.filter { !$0.hasPrefix(".") }
        }
        let top: [String]
        switch SystemCalls.directoryNames(atPath: directory) {
        case .success(let names): top = names.filter { !$0.hasPrefix(".") }
        case .failure(let error):
            throw DriftCheckError(.io, path: directory, "cannot open the reports directory: \(error)")
        }
        for name in top {
            let path = "\(directory)/\(name)"
            if name.hasSuffix(".report.json") {
                files.append(path)
            } else if let inner = list(path) {
                files += inner.filter { $0.hasSuffix(".report.json") }.map { "\(path)/\($0)" }
            }
        }
        var summaries: [HostSummary] = []
        var skipped: [String] = []
        for path in files {
            do {
                summaries.append(try summary(path))
            } catch {
                skipped.append(error.description)
            }
        }
        return FleetView(reports: summaries, skipped: skipped)
    }

    /// Reads one JSON report.
    static func summary(_ path: String) throws(DriftCheckError) -> HostSummary {
        let bytes = try MappedFile.contents(of: path)
        let line = bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes
        let report: JSONValue
        do {
            report = try JSONParser.parse(line)
        } catch {
            throw DriftCheckError(.malformed, path: path, "not a JSON report: \(error.message)")
        }
        guard report["schema"]?.stringValue == Report.schema, let host = report["host"]?.stringValue,
            let generated = report["generated"]?.stringValue
        else { throw DriftCheckError(.malformed, path: path, "not a \(Report.schema) report") }
        var counts: [Severity: Int] = [:]
        for severity in Severity.allCases {
            // Reports are not signed: clamp what they claim so that sums and scores cannot overflow.
            counts[severity] = Int(min(max(report["summary"]?[severity.name]?.integerValue ?? 0, 0), 1_000_000_000))
        }
        var changes: [String] = []
        if case .array(let items)? = report["drift"] {
            for item in items {
                var fields: [String] = []
                if case .array(let list)? = item["fields"] { fields = list.compactMap(\.stringValue) }
                let name = TerminalText.escape(item["name"]?.stringBytes ?? [])
                let text = "\(item["kind"]?.stringValue ?? "?") \(name) \(item["change"]?.stringValue ?? "?")"
                changes.append(fields.isEmpty ? text : "\(text) (\(fields.joined(separator: ", ")))")
            }
        }
        return HostSummary(
            host: host, image: report["image"]?.stringValue ?? "(none)", generated: generated,
            action: report["recommendation"]?["action"]?.stringValue ?? "none",
            supersededBy: report["superseded_by"]?.stringValue, imageMismatch: report["image_mismatch"] == .bool(true),
            counts: counts, changes: changes, path: path)
    }
}
