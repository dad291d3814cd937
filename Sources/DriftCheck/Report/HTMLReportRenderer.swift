/// A host's report as one self-contained page (inline CSS, no script, no external asset): who and what was
/// compared, the recommendation and its reasons, the counts, then every item by kind with its severity, what
/// changed and why it is rated so. What is grouped under an item is in a collapsed list; what looks like tampering,
/// or that the owner's change does not explain (``DriftItem/shouldShow(_:)``), is shown open under it. A legend
/// explains every colour. Every name and value from a manifest is escaped for a terminal first (no control
/// character survives), then for HTML.
package enum HTMLReportRenderer {
    /// The colours of the page and what each means (the legend lists them all).
    static let palette: [HTMLPage.Swatch] = [
        ("critical", "#b3001b", "looks like tampering or gives privilege: investigate"),
        ("high", "#d1495b", "the host is no longer its image: rebuild (at the default rebuild.on)"),
        ("medium", "#e28413", "drift worth knowing; not a reason to rebuild by default"),
        ("low", "#2a6f97", "expected to change on a running host"),
        ("info", "#7f7f7f", "for the record: what a configuration-management tool owns"),
        ("tampering", "#b3001b", "a row with this border looks like tampering"),
    ]

    /// Text that is already free of control characters, made safe for the page.
    private static func text(_ value: String) -> String { MarkupText.escape(TerminalText.clean(value)) }

    /// Raw bytes from the scanned filesystem, made safe for the page.
    private static func name(_ bytes: [UInt8]) -> String { MarkupText.escape(TerminalText.escape(bytes)) }

    package static func render(_ report: Report) -> [UInt8] {
        let host = text(report.host.header.host)
        let hostImage = text(report.host.header.image ?? "(none)")
        let baselineImage = text(report.baseline.header.image ?? "(none)")
        var body = "<h1>driftcheck: host \(host)</h1>"
        body += "<p>Image \(hostImage), scanned \(text(report.host.header.time)), key "
        body += "<code>\(text(String(report.host.keyID.prefix(16))))</code>; against baseline \(baselineImage), built "
        body += "\(text(report.baseline.header.time)), key <code>\(text(String(report.baseline.keyID.prefix(16))))"
        body += "</code>. Report generated \(text(report.generated)) by \(text(report.tool)).</p>"
        if report.imageMismatch {
            body += "<p class=\"alarm\">Image mismatch: the host says it was built from \(hostImage), the baseline is "
            body += "\(baselineImage); this comparison is against the wrong image.</p>"
        }
        body += recommendation(report)
        body += summary(report)
        body += legend()
        for (kind, items) in report.itemsByKind {
            body += "<h2>\(text(TextReportRenderer.sectionTitle(kind)))</h2><table><tr><th>severity</th>"
            body += "<th>change</th><th>name</th><th>what changed</th></tr>"
            for item in items.sorted(by: { $0.severity > $1.severity }) { body += row(item) }
            body += "</table>"
        }
        if report.items.isEmpty { body += "<p class=\"clean\">No drift: the host is still exactly its image.</p>" }
        let style = """
            body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}\
            table{border-collapse:collapse;margin:8px 0 16px;width:100%}\
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f2f2}\
            td.name{font-family:monospace;word-break:break-all}.badge{display:inline-block;padding:2px 8px;\
            border-radius:4px;color:#fff;margin-right:4px}.legend span.swatch{display:inline-block;width:12px;\
            height:12px;margin-right:6px}tr.tampering td{border:2px solid #b3001b;background:#fbe3e6}\
            .alarm{color:#b3001b;font-weight:bold}.clean{color:#4c9f70;font-weight:bold}ul.under{margin:4px 0}\
            .action{font-size:1.3em;font-weight:bold}.investigate{color:#b3001b}.rebuild{color:#d1495b}\
            .none{color:#4c9f70}details summary{cursor:pointer;color:#555}\
            pre.diff{background:#f8f8f8;border:1px solid #ddd;padding:6px;overflow-x:auto;font-size:12px;\
            white-space:pre-wrap;word-break:break-all}pre.diff .add{background:#e6ffec;color:#116329}\
            pre.diff .del{background:#ffebe9;color:#82071e}pre.diff .hunk{color:#6f42c1}pre.diff .file{color:#555;\
            font-weight:bold}.evidence{margin-top:4px;font-size:0.92em}.evidence ul{margin:2px 0}\
            .evidence .source{color:#666}
            """
        var colours = ""
        for entry in palette where Severity(name: entry.name) != nil {
            colours += ".sev-\(entry.name){background:\(entry.colour)}"
        }
        return HTMLPage.document(title: "driftcheck: \(host)", style: style + colours, body: body)
    }

    private static func recommendation(_ report: Report) -> String {
        let recommendation = report.recommendation
        let words: String
        switch recommendation.action {
        case .none: words = "none: nothing at or above \(report.rebuildAt.name) drifted"
        case .rebuild: words = "REBUILD: the host is no longer its image (or its image is out of date)"
        case .investigate:
            words = "INVESTIGATE: the drift looks like tampering; keep the host for forensics, then rebuild it"
        }
        var html = "<h2>Recommendation</h2><p class=\"action \(recommendation.action.rawValue)\">\(text(words))</p>"
        if !recommendation.reasons.isEmpty {
            html += "<ul>" + recommendation.reasons.map { "<li>\(text($0))</li>" }.joined() + "</ul>"
        }
        return html
    }

    private static func summary(_ report: Report) -> String {
        let counts = report.counts
        var html = "<h2>Summary</h2><p>"
        for severity in Severity.allCases.reversed() {
            html += "<span class=\"badge sev-\(severity.name)\">\(counts[severity] ?? 0) \(severity.name)</span>"
        }
        let statistics = report.statistics
        html += "</p><p>\(report.items.count) drifted items, \(report.groupedCount) changes grouped under them; "
        html += "\(statistics.baselineEntries) baseline entries, \(statistics.hostEntries) host entries; the policy "
        html += "ignored \(statistics.ignored), the allowlist allowed \(statistics.allowed)"
        if statistics.notCompared > 0 { html += "; \(statistics.notCompared) not compared (below an unscanned mount)" }
        let managed = report.items.filter { $0.managedBy != nil }.count
        if managed > 0 { html += "; \(managed) managed by tools, \(report.items.count - managed) owned by no tool" }
        return html + ".</p>"
    }

    private static func row(_ item: DriftItem) -> String {
        var what = text(TextReportRenderer.detail(item))
        if let note = item.note { what += (what.isEmpty ? "" : "<br>") + "<b>\(text(note))</b>" }
        if let tool = item.managedBy { what += (what.isEmpty ? "" : "<br>") + "managed by \(text(tool))" }
        what += evidence(item) + diff(item)
        let shown = item.related.filter(item.shouldShow)
        if !shown.isEmpty { what += "<ul class=\"under\">" + shown.map(listed).joined() + "</ul>" }
        if !item.related.isEmpty {
            what += "<details><summary>\(text(TextReportRenderer.groupedCount(item.related))) grouped under it"
            what += "</summary><ul class=\"under\">" + item.related.map(listed).joined() + "</ul></details>"
        }
        let rowClass = item.tampering || item.looksLikeTampering ? " class=\"tampering\"" : ""
        return "<tr\(rowClass)><td><span class=\"badge sev-\(item.severity.name)\">\(item.severity.name)</span></td>"
            + "<td>\(text(item.change.rawValue))</td><td class=\"name\">\(name(item.name))</td><td>\(what)</td></tr>"
    }

    private static func listed(_ item: DriftItem) -> String {
        var line = "<span class=\"badge sev-\(item.severity.name)\">\(item.severity.name)</span> "
        line += "\(text(item.change.rawValue)) \(item.kind == .file ? "" : text(item.kind.name) + " ")"
        line += "<code>\(name(item.name))</code>"
        let detail = TextReportRenderer.detail(item)
        if !detail.isEmpty { line += " — \(text(detail))" }
        if let note = item.note { line += " — <b>\(text(note))</b>" }
        return "<li>\(line)\(diff(item))</li>"
    }

    /// When it changed and what the host's logs claim, labelled as claims.
    private static func evidence(_ item: DriftItem) -> String {
        guard let evidence = item.evidence else { return "" }
        var html = "<div class=\"evidence\"><b>Evidence</b> "
        if let changed = evidence.changed {
            html += "changed \(text(Evidence.minute(changed))) UTC"
        } else {
            html += "change time not recorded"
        }
        if evidence.claims.isEmpty {
            return html + "; the host's logs name no login, sudo command or package operation around then.</div>"
        }
        html += ". <i>\(text(Evidence.label.prefix(1).uppercased() + Evidence.label.dropFirst())):</i><ul>"
        for claim in evidence.claims {
            html += "<li>\(text(claim.text)) <span class=\"source\">(\(text(claim.source)))</span></li>"
        }
        return html + "</ul></div>"
    }

    /// The unified diff, each line escaped and coloured by its marker.
    private static func diff(_ item: DriftItem) -> String {
        guard let diff = item.diff else { return "" }
        var html = "<pre class=\"diff\">"
        for line in diff.text.split(separator: "\n", omittingEmptySubsequences: true) {
            let escaped = MarkupText.escape(TerminalText.escapeKeepingTabs(Array(line.utf8)))
            let kind =
                line.hasPrefix("+++") || line.hasPrefix("---")
                ? "file"
                : line.hasPrefix("@@") ? "hunk" : line.hasPrefix("+") ? "add" : line.hasPrefix("-") ? "del" : "same"
            html += "<span class=\"\(kind)\">\(escaped)</span>\n"
        }
        if diff.truncated {
            html += "<span class=\"hunk\">… cut here: the diff is longer than a report carries</span>\n"
        }
        return html + "</pre>"
    }

    private static func legend() -> String {
        "<details class=\"legend\"><summary>Legend</summary>" + HTMLPage.legendList(palette) + "</details>"
    }
}
