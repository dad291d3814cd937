/// Renders a report for a terminal: a heading, items grouped by severity with aligned columns, a summary line and
/// the recommendation. Every path and link target is escaped, so no byte from the scanned filesystem reaches the
/// terminal raw. Pieces that a terminal may colour go through `emphasis` (plain text by default).
package struct TextReportRenderer {
    /// Marks up a piece of text for what it stands for; the executable colours them on a terminal.
    package var emphasis: @Sendable (String, TextEmphasis) -> String
    /// List every item grouped under an item (`--details`). Without it, an item is one line, and only the grouped
    /// items ``DriftItem/shouldShow(_:)`` picks are listed under it (what looks like tampering or is critical, and
    /// unexplained accounts, programs, findings and sensitive files): a grouping never hides those.
    package var details = false

    package init(
        details: Bool = false, emphasis: @escaping @Sendable (String, TextEmphasis) -> String = { text, _ in text }
    ) {
        self.details = details
        self.emphasis = emphasis
    }

    package func render(_ report: Report) -> String {
        (itemLines(report) + summaryLines(report)).joined(separator: "\n") + "\n"
    }

    /// The heading and the items alone, without the summary and the recommendation (`driftcheck show`).
    package func renderItems(_ report: Report) -> String {
        itemLines(report).joined(separator: "\n") + "\n"
    }

    private func itemLines(_ report: Report) -> [String] {
        var lines: [String] = []
        let hostImage = report.host.header.image.map { TerminalText.escape(Array($0.utf8)) } ?? "(none)"
        let baselineImage = report.baseline.header.image.map { TerminalText.escape(Array($0.utf8)) } ?? "(none)"
        let hostName = TerminalText.escape(Array(report.host.header.host.utf8))
        let scanned = TerminalText.clean(report.host.header.time)
        let built = TerminalText.clean(report.baseline.header.time)
        lines.append(
            "driftcheck: host \(hostName) (image \(hostImage), scanned \(scanned), key \(report.host.keyID.prefix(16)))"
        )
        lines.append("  against baseline \(baselineImage) (built \(built), key \(report.baseline.keyID.prefix(16)))")
        if report.imageMismatch {
            lines.append(
                emphasis(
                    "!! IMAGE MISMATCH: the host says it was built from \(hostImage), "
                        + "the baseline is \(baselineImage); this comparison is against the wrong image", .alarm))
        }
        let nameWidth = min(48, report.items.map { TerminalText.escape($0.name).count }.max() ?? 0)
        for (kind, items) in report.itemsByKind {
            let sorted = items.enumerated().sorted { left, right in
                left.element.severity != right.element.severity
                    ? left.element.severity > right.element.severity : left.offset < right.offset
            }.map(\.element)
            var changes: [String: Int] = [:]
            for item in items { changes[item.change.rawValue, default: 0] += 1 }
            let perChange = ChangeKind.allCases.compactMap { change in
                changes[change.rawValue].map { "\($0) \(change.rawValue)" }
            }.joined(separator: ", ")
            lines.append("")
            lines.append(emphasis("\(Self.sectionTitle(kind)) (\(perChange))", .heading))
            for item in sorted {
                let severity = item.severity.name.uppercased()
                let severityColumn =
                    emphasis(severity, .severity(item.severity))
                    + String(repeating: " ", count: max(1, 9 - severity.count))
                let change = item.change.rawValue
                let changeColumn = change + String(repeating: " ", count: max(1, 11 - change.count))
                let name = TerminalText.escape(item.name)
                let padded =
                    name.count < nameWidth ? name + String(repeating: " ", count: nameWidth - name.count) : name
                var detail = Self.detail(item)
                if let note = item.note.map(TerminalText.clean) { detail += detail.isEmpty ? note : "; \(note)" }
                if let tool = item.managedBy { detail += (detail.isEmpty ? "" : "; ") + "managed by \(tool)" }
                if !item.related.isEmpty { detail += "  (+\(Self.groupedCount(item.related)))" }
                lines.append("  \(severityColumn)\(changeColumn)\(padded)\(detail.isEmpty ? "" : "  " + detail)")
                lines += contentLines(item, indent: "      ")
                let shown = details ? item.related : item.related.filter(item.shouldShow)
                for related in shown {
                    var relatedDetail = Self.detail(related)
                    if let note = related.note.map(TerminalText.clean) {
                        relatedDetail += relatedDetail.isEmpty ? note : "; \(note)"
                    }
                    let kind = related.kind == .file ? "" : "\(related.kind) "
                    let marker =
                        details ? "" : emphasis(related.severity.name.uppercased(), .severity(related.severity)) + " "
                    lines.append(
                        "      \(marker)\(related.change.rawValue) \(kind)\(TerminalText.escape(related.name))"
                            + (relatedDetail.isEmpty ? "" : "  " + relatedDetail))
                    if related.diff != nil { lines += contentLines(related, indent: "          ") }
                }
            }
        }
        return lines
    }

    private func summaryLines(_ report: Report) -> [String] {
        var lines = [""]
        let counts = report.counts
        let perSeverity = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.name)" }.joined(separator: ", ")
        var summary = "Summary: \(report.items.count) drifted (\(perSeverity))"
        if report.groupedCount > 0 {
            summary += ", \(report.groupedCount) changes grouped under them"
            if !details { summary += " (--details lists them)" }
        }
        let managed = report.items.filter { $0.managedBy != nil }
        if !managed.isEmpty {
            var tools: [String: Int] = [:]
            for item in managed { tools[item.managedBy ?? "", default: 0] += 1 }
            let perTool = tools.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            summary += "; managed by tools: \(perTool); owned by no tool: \(report.items.count - managed.count)"
        }
        summary += "; "
        summary +=
            "\(report.statistics.baselineEntries) baseline entries, \(report.statistics.hostEntries) host entries"
        if report.statistics.notCompared > 0 {
            summary += ", \(report.statistics.notCompared) not compared (below an unscanned mount)"
        }
        if report.statistics.ignored > 0 || report.statistics.allowed > 0 {
            summary += "; policy ignored \(report.statistics.ignored), allowlist allowed \(report.statistics.allowed)"
        }
        lines.append(summary)
        let withEvidence = report.items.filter { !($0.evidence?.claims.isEmpty ?? true) }.count
        if !report.items.isEmpty {
            lines.append(
                "Evidence: the host's own logs name a login, sudo command or package operation around the change "
                    + "for \(withEvidence) of \(report.items.count) items (claims: any local user can add syslog "
                    + "lines, and whoever had root could have edited every log)")
        }
        let recommendation = report.recommendation
        switch recommendation.action {
        case .none:
            lines.append("Recommendation: none — nothing at or above \(report.rebuildAt.name) drifted")
        case .investigate:
            lines.append(
                emphasis("Recommendation: INVESTIGATE", .alarm)
                    + " — the drift looks like tampering; keep the host for forensics, then rebuild it")
        case .rebuild:
            lines.append(
                emphasis("Recommendation: REBUILD", .strong)
                    + " — the host is no longer its image (or its image is out of date)")
        }
        for reason in recommendation.reasons.prefix(10) { lines.append("  - \(TerminalText.clean(reason))") }
        if recommendation.reasons.count > 10 { lines.append("  - … \(recommendation.reasons.count - 10) more") }
        return lines
    }

    /// "37 files", or "39 items" when they are not all files.
    static func groupedCount(_ related: [DriftItem]) -> String {
        let noun = related.allSatisfy { $0.kind == .file } ? "file" : "item"
        return "\(related.count) \(noun)\(related.count == 1 ? "" : "s")"
    }

    static func sectionTitle(_ kind: EntryKind) -> String {
        switch kind {
        case .image: "IMAGE"
        case .package: "PACKAGES"
        case .service: "SERVICES"
        case .user: "USERS"
        case .group: "GROUPS"
        case .cron: "SCHEDULED JOBS"
        case .port: "LISTENING PORTS"
        case .module: "KERNEL MODULES"
        case .file: "FILES"
        case .other(let word): TerminalText.clean(word.uppercased())
        }
    }

    private static func describe(_ record: RecordEntry) -> String {
        TerminalText.clean(describeUnescaped(record))
    }

    private static func describeUnescaped(_ record: RecordEntry) -> String {
        switch record.kind {
        case .package:
            return "\(record.text("version") ?? "") \(record.text("arch") ?? "")"
        case .service:
            var parts = [record.text("enabled") ?? ""]
            if record.flag("masked") == true { parts.append("masked") }
            return parts.joined(separator: ", ")
        case .user:
            return "uid \(record.number("uid") ?? -1) gid \(record.number("gid") ?? -1) \(record.text("home") ?? "") "
                + "\(record.text("shell") ?? "") password \(record.text("password") ?? "")"
        default:
            return record.fields.map { field in
                let shown = Hex.abbreviatingDigest(field.value.description)
                return "\(field.key) \(TerminalText.escape(Array(shown.utf8)))"
            }.joined(separator: " ")
        }
    }

    private static func describe(_ entry: FileEntry) -> String {
        var parts = ["\(entry.type.rawValue) \(entry.modeText) \(entry.uid):\(entry.gid)"]
        if entry.type == .file { parts.append("\(entry.size) bytes") }
        if let target = entry.target { parts.append("-> \(TerminalText.escape(target))") }
        if let rdev = entry.deviceNumberText { parts.append("device \(rdev)") }
        if entry.capabilities != nil { parts.append("capabilities set") }
        if let error = entry.error { parts.append("error: \(TerminalText.clean(error))") }
        return parts.joined(separator: " ")
    }

    private static func short(_ digest: [UInt8]?) -> String {
        digest.map { String(Hex.encode($0).prefix(12)) } ?? "unread"
    }

    /// What changed, in a few words: "mode 0755→4755, owner 0→1000"; for a package, what the host's apt history
    /// claims did it (``evidence(_:)``).
    static func detail(_ item: DriftItem) -> String { change(item) }

    /// The lines under an item: its diff (the first ``compactDiffLines`` lines unless `details`) and what the
    /// host's logs claim about it, escaped for a terminal.
    func contentLines(_ item: DriftItem, indent: String) -> [String] {
        var lines: [String] = []
        if let evidence = item.evidence, details || !evidence.claims.isEmpty {
            lines.append(indent + emphasis("evidence: ", .strong) + TerminalText.clean(evidence.summary))
        }
        if let diff = item.diff {
            let all = diff.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let shown = details ? all[...] : all.prefix(Self.compactLength(of: all))
            for line in shown { lines.append(indent + "  " + TerminalText.escapeKeepingTabs(Array(line.utf8))) }
            let hidden = all.count - shown.count
            if hidden > 0 {
                lines.append(indent + "  … \(hidden) more diff lines (--details shows them)")
            } else if diff.truncated {
                lines.append(
                    indent + "  … the diff is longer than a report carries (+\(diff.added) -\(diff.removed) lines)")
            }
        }
        return lines
    }

    /// Diff lines the short report shows per file: whole hunks while they fit, the first one up to twice that.
    static let compactDiffLines = 20

    /// How many of a diff's lines the short report prints: the headers and whole hunks up to
    /// ``compactDiffLines``, and at least the first hunk (cut at twice that).
    static func compactLength(of lines: ArraySlice<Substring>) -> Int {
        var end = lines.startIndex
        var index = lines.startIndex
        var hunks = 0
        while index < lines.endIndex {
            var next = index + 1
            if lines[index].hasPrefix("@@") {
                while next < lines.endIndex && !lines[next].hasPrefix("@@") { next += 1 }
                hunks += 1
                let length = next - lines.startIndex
                if hunks > 1 && length > compactDiffLines { break }
                if hunks == 1 && length > 2 * compactDiffLines { return 2 * compactDiffLines }
            }
            end = next
            index = next
        }
        return end - lines.startIndex
    }

    private static func change(_ item: DriftItem) -> String {
        switch (item.baseline, item.host) {
        case (.text(let old), .text(let new)):
            return "\(TerminalText.escape(Array(old.utf8))) → \(TerminalText.escape(Array(new.utf8)))"
        case (nil, .file(let new)):
            return describe(new)
        case (.file(let old), nil):
            return describe(old)
        case (nil, .record(let new)):
            return describe(new)
        case (.record(let old), nil):
            return describe(old)
        case (.record(let old), .record(let new)):
            return item.fields.names.map { key in
                let before = old[key].map { TerminalText.escape(Array($0.description.utf8)) } ?? "(none)"
                let after = new[key].map { TerminalText.escape(Array($0.description.utf8)) } ?? "(none)"
                if key == "unit" || key == "sha256" || key == "script" {
                    return "\(TerminalText.clean(key)) \(before.prefix(12))…→\(after.prefix(12))…"
                }
                return "\(TerminalText.clean(key)) \(before)→\(after)"
            }.joined(separator: ", ")
        case (.file(let old), .file(let new)):
            return item.fields.compactMap { changed -> DriftField? in
                if case .file(let field) = changed { return field }
                return nil
            }.map { field -> String in
                switch field {
                case .content: "content \(short(old.sha256))…→\(short(new.sha256))…"
                case .size: "size \(old.size)→\(new.size)"
                case .type: "type \(old.type.rawValue)→\(new.type.rawValue)"
                case .mode: "mode \(old.modeText)→\(new.modeText)"
                case .owner: "owner \(old.uid)→\(new.uid)"
                case .group: "group \(old.gid)→\(new.gid)"
                case .target:
                    "target \(old.target.map(TerminalText.escape) ?? "none")"
                        + "→\(new.target.map(TerminalText.escape) ?? "none")"
                case .capabilities:
                    "capabilities \(old.capabilities == nil ? "none" : "set")"
                        + "→\(new.capabilities == nil ? "none" : "set")"
                case .device: "device \(old.deviceNumberText ?? "none")→\(new.deviceNumberText ?? "none")"
                case .error: "unverified: \(TerminalText.clean(new.error ?? old.error ?? ""))"
                case .packageChecksum: "fails its package checksum"
                }
            }.joined(separator: ", ")
        default:
            return ""
        }
    }
}
