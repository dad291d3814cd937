/// Renders a report for a terminal: a heading, items grouped by severity with aligned columns, a summary line and
/// the recommendation. Every path and link target is escaped, so no byte from the scanned filesystem reaches the
/// terminal raw. Colour only when asked for (a TTY without NO_COLOR).
package struct TextReportRenderer {
    package var colour: Bool

    package init(colour: Bool) {
        self.colour = colour
    }

    private func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func colourCode(_ severity: Severity) -> String {
        switch severity {
        case .critical: "1;31"
        case .high: "31"
        case .medium: "33"
        case .low: "36"
        case .info: "2"
        }
    }

    package func render(_ report: Report) -> String {
        var lines: [String] = []
        let hostImage = report.host.header.image.map { TerminalText.escape(Array($0.utf8)) } ?? "(none)"
        let baselineImage = report.baseline.header.image.map { TerminalText.escape(Array($0.utf8)) } ?? "(none)"
        let hostName = TerminalText.escape(Array(report.host.header.host.utf8))
        lines.append("driftcheck: host \(hostName) (image \(hostImage), scanned \(report.host.header.time))")
        lines.append(
            "  against baseline \(baselineImage) (built \(report.baseline.header.time), key \(report.baseline.keyID.prefix(16)))"
        )
        if report.imageMismatch {
            lines.append(
                paint(
                    "!! IMAGE MISMATCH: the host says it was built from \(hostImage), the baseline is \(baselineImage); "
                        + "this comparison is against the wrong image", "1;31"))
        }
        let changeWidth = 8
        let nameWidth = min(60, report.items.map { TerminalText.escape($0.name).count }.max() ?? 0)
        for severity in Severity.allCases.reversed() {
            let group = report.items.filter { $0.severity == severity }
            if group.isEmpty { continue }
            lines.append("")
            lines.append(paint("\(severity.name.uppercased()) (\(group.count))", colourCode(severity)))
            for item in group {
                let name = TerminalText.escape(item.name)
                let padded =
                    name.count < nameWidth ? name + String(repeating: " ", count: nameWidth - name.count) : name
                let change = item.change.rawValue
                let column = change + String(repeating: " ", count: max(1, changeWidth + 1 - change.count))
                let detail = Self.detail(item)
                lines.append("  \(column)\(padded)\(detail.isEmpty ? "" : "  " + detail)")
            }
        }
        lines.append("")
        let counts = report.counts
        let perSeverity = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.name)" }.joined(separator: ", ")
        var summary = "Summary: \(report.items.count) drifted (\(perSeverity)); "
        summary +=
            "\(report.statistics.baselineEntries) baseline entries, \(report.statistics.hostEntries) host entries"
        if report.statistics.notCompared > 0 {
            summary += ", \(report.statistics.notCompared) not compared (below an unscanned mount)"
        }
        lines.append(summary)
        let recommendation = report.recommendation
        if recommendation.action == "none" {
            lines.append("Recommendation: none — no high or critical drift")
        } else {
            lines.append(
                paint("Recommendation: \(recommendation.action.uppercased())", "1")
                    + " — high or critical drift; the host is no longer its image")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(_ entry: FileEntry) -> String {
        var parts = ["\(entry.type.rawValue) \(entry.modeText) \(entry.uid):\(entry.gid)"]
        if entry.type == .file { parts.append("\(entry.size) bytes") }
        if let target = entry.target { parts.append("-> \(TerminalText.escape(target))") }
        if let rdev = entry.deviceNumberText { parts.append("device \(rdev)") }
        if entry.capabilities != nil { parts.append("capabilities set") }
        if let error = entry.error { parts.append("error: \(error)") }
        return parts.joined(separator: " ")
    }

    private static func short(_ digest: [UInt8]?) -> String {
        digest.map { String(Hex.encode($0).prefix(12)) } ?? "unread"
    }

    /// What changed, in a few words: "mode 0755→4755, owner 0→1000".
    static func detail(_ item: DriftItem) -> String {
        switch (item.baseline, item.host) {
        case (.text(let old), .text(let new)):
            return "\(TerminalText.escape(Array(old.utf8))) → \(TerminalText.escape(Array(new.utf8)))"
        case (nil, .file(let new)):
            return describe(new)
        case (.file(let old), nil):
            return describe(old)
        case (.file(let old), .file(let new)):
            return item.fields.map { field -> String in
                switch field {
                case .content: "content \(short(old.sha256))…→\(short(new.sha256))…"
                case .size: "size \(old.size)→\(new.size)"
                case .type: "type \(old.type.rawValue)→\(new.type.rawValue)"
                case .mode: "mode \(old.modeText)→\(new.modeText)"
                case .owner: "owner \(old.uid)→\(new.uid)"
                case .group: "group \(old.gid)→\(new.gid)"
                case .target:
                    "target \(old.target.map(TerminalText.escape) ?? "none")→\(new.target.map(TerminalText.escape) ?? "none")"
                case .capabilities:
                    "capabilities \(old.capabilities == nil ? "none" : "set")→\(new.capabilities == nil ? "none" : "set")"
                case .device: "device \(old.deviceNumberText ?? "none")→\(new.deviceNumberText ?? "none")"
                case .error: "unverified: \(new.error ?? old.error ?? "")"
                }
            }.joined(separator: ", ")
        default:
            return ""
        }
    }
}
