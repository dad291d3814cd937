import Glibc

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
            var seen: [HostChange: [String]] = [:]
            for host in members {
                for change in Set(host.changes) { seen[change, default: []].append(host.host) }
            }
            // Listed by how they read (ties, such as two names that escape alike, by their raw bytes).
            let ordered = seen.sorted { left, right in
                let (a, b) = (left.key.description, right.key.description)
                return a != b ? a < b : left.key.name.lexicographicallyPrecedes(right.key.name)
            }
            for (change, who) in ordered {
                let share = Double(who.count) / Double(members.count)
                let promote = who.count >= 2 && share >= FleetView.promoteShare
                changes.append(
                    FleetChange(
                        image: image, change: change, hosts: who.sorted(), verdict: promote ? .promote : .snowflake))
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
        var changes: [HostChange] = []
        if case .array(let items)? = report["drift"] {
            for item in items {
                var fields: [String] = []
                if case .array(let list)? = item["fields"] { fields = list.compactMap(\.stringValue) }
                // The lossless name: two names that differ only in bytes that are not UTF-8 are two changes.
                let name =
                    item["name_b64"]?.stringBytes.flatMap(Base64.decode) ?? item["name"]?.stringBytes ?? []
                changes.append(
                    HostChange(
                        kind: EntryKind(item["kind"]?.stringValue ?? "?"), name: name,
                        change: item["change"]?.stringValue ?? "?", fields: fields))
            }
        }
        let actionText = report["recommendation"]?["action"]?.stringValue ?? "none"
        guard let action = Recommendation.Action(rawValue: actionText) else {
            throw DriftCheckError(
                .malformed, path: path, "names an unknown recommendation \"\(TerminalText.clean(actionText))\"")
        }
        return HostSummary(
            host: host, image: report["image"]?.stringValue ?? "(none)", generated: generated,
            action: action,
            supersededBy: report["superseded_by"]?.stringValue, imageMismatch: report["image_mismatch"] == .bool(true),
            counts: counts, changes: changes, path: path)
    }
}
