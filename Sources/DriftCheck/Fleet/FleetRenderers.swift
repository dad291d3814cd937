/// Renders a fleet view as text, JSON, or a self-contained HTML page (no external assets).
package enum FleetRenderer {
    private static func hostLine(_ host: HostSummary) -> String {
        let counts = Severity.allCases.reversed().compactMap { severity in
            (host.counts[severity] ?? 0) > 0 ? "\(host.counts[severity] ?? 0) \(severity.name)" : nil
        }.joined(separator: ", ")
        return
            "\(TerminalText.escape(Array(host.host.utf8))): \(counts.isEmpty ? "clean" : counts) → \(host.action.rawValue)"
    }

    package static func text(_ view: FleetView) -> String {
        var lines = ["driftcheck fleet: \(view.hosts.count) hosts, \(view.images.count) images"]
        for image in view.images {
            let members = view.hosts(of: image)
            let clean = members.filter(\.isClean).count
            lines.append("")
            lines.append(
                "IMAGE \(TerminalText.escape(Array(image.utf8))): \(members.count) hosts, \(clean) clean, \(members.count - clean) drifted"
            )
            if let newer = members.compactMap(\.supersededBy).first {
                lines.append(
                    "  superseded by \(TerminalText.escape(Array(newer.utf8))): rebuild its hosts from the newer image")
            }
            for change in view.changes where change.image == image && change.verdict == .promote {
                lines.append(
                    "  PROMOTE   \(change.change.description) — on \(change.hosts.count)/\(members.count) hosts: bake it into the next image"
                )
            }
            for change in view.changes where change.image == image && change.verdict == .snowflake {
                lines.append(
                    "  SNOWFLAKE \(change.change.description) — on \(change.hosts.joined(separator: ", ")): rebuild \(change.hosts.count == 1 ? "it" : "them")"
                )
            }
        }
        let ranking = view.ranking
        if !ranking.isEmpty {
            lines.append("")
            lines.append("MOST DRIFTED")
            for (index, host) in ranking.prefix(20).enumerated() { lines.append("  \(index + 1). \(hostLine(host))") }
        }
        for skipped in view.skipped { lines.append("skipped: \(skipped)") }
        // Reports are not signed and their change strings and host names are free text: nothing reaches the
        // terminal raw.
        return lines.map(TerminalText.clean).joined(separator: "\n") + "\n"
    }

    package static func json(_ view: FleetView) -> [UInt8] {
        var json = JSONBuilder(capacity: 4096)
        json.openObject()
        json.field("schema", "driftcheck-fleet/1")
        json.key("images")
        json.openArray()
        for image in view.images {
            let members = view.hosts(of: image)
            json.openObject()
            json.field("image", image)
            json.field("hosts", members.count)
            json.field("clean", members.filter(\.isClean).count)
            json.field("drifted", members.filter { !$0.isClean }.count)
            json.key("superseded_by")
            if let newer = members.compactMap(\.supersededBy).first { json.string(newer) } else { json.null() }
            json.key("changes")
            json.openArray()
            for change in view.changes where change.image == image {
                json.openObject()
                json.field("change", change.change.description)
                json.field("verdict", change.verdict.rawValue)
                json.key("hosts")
                json.stringArray(change.hosts)
                json.closeObject()
            }
            json.closeArray()
            json.closeObject()
        }
        json.closeArray()
        json.key("hosts")
        json.openArray()
        for host in view.ranking + view.hosts.filter(\.isClean) {
            json.openObject()
            json.field("host", host.host)
            json.field("image", host.image)
            json.field("generated", host.generated)
            json.field("action", host.action.rawValue)
            json.field("score", host.score)
            for severity in Severity.allCases.reversed() { json.field(severity.name, host.counts[severity] ?? 0) }
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return json.bytes + [0x0A]
    }

    private static func html(_ text: String) -> String {
        MarkupText.escape(TerminalText.escape(Array(text.utf8)))
    }

    private static let colours: [Severity: String] = [
        .critical: "#b3001b", .high: "#e4572e", .medium: "#f3a712", .low: "#4c9f70", .info: "#999999",
    ]

    /// A horizontal stacked bar per row: drift items by severity.
    private static func chart(_ rows: [(label: String, counts: [Severity: Int])], title: String) -> String {
        let maximum = max(1, rows.map { $0.counts.values.reduce(0, +) }.max() ?? 1)
        let rowHeight = 22
        let width = 760
        let labelWidth = 220
        var svg =
            "<svg role=\"img\" aria-label=\"\(html(title))\" width=\"\(width)\" height=\"\(rows.count * rowHeight + 10)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (index, row) in rows.enumerated() {
            let y = index * rowHeight + 5
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"13\">\(html(row.label))</text>"
            var x = labelWidth
            for severity in Severity.allCases.reversed() {
                let count = row.counts[severity] ?? 0
                guard count > 0 else { continue }
                let length = max(2, count * (width - labelWidth - 40) / maximum)
                svg +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(length)\" height=\"16\" fill=\"\(colours[severity] ?? "#999")\"><title>\(count) \(severity.name)</title></rect>"
                x += length
            }
            svg += "<text x=\"\(x + 4)\" y=\"\(y + 13)\" font-size=\"12\">\(row.counts.values.reduce(0, +))</text>"
        }
        return svg + "</svg>"
    }

    package static func html(_ view: FleetView, generated: String) -> [UInt8] {
        var body =
            "<h1>driftcheck fleet</h1><p>\(view.hosts.count) hosts, \(view.images.count) images — generated \(html(generated))</p>"
        body +=
            "<h2>Drift per host</h2>" + chart(view.hosts.map { ($0.host, $0.counts) }, title: "drift items per host")
        var perImage: [(String, [Severity: Int])] = []
        for image in view.images {
            var counts: [Severity: Int] = [:]
            for host in view.hosts(of: image) {
                for (severity, count) in host.counts { counts[severity, default: 0] += count }
            }
            perImage.append((image, counts))
        }
        body += "<h2>Drift per image</h2>" + chart(perImage, title: "drift items per image")
        for image in view.images {
            let members = view.hosts(of: image)
            body += "<h2>Image \(html(image))</h2>"
            if let newer = members.compactMap(\.supersededBy).first {
                body +=
                    "<p class=\"superseded\">Superseded by \(html(newer)): rebuild these hosts from the newer image.</p>"
            }
            body +=
                "<table><tr><th>host</th><th>critical</th><th>high</th><th>medium</th><th>low</th><th>recommendation</th></tr>"
            for host in members {
                body += "<tr><td>\(html(host.host))</td>"
                for severity in [Severity.critical, .high, .medium, .low] {
                    body += "<td>\(host.counts[severity] ?? 0)</td>"
                }
                body += "<td class=\"\(html(host.action.rawValue))\">\(html(host.action.rawValue))</td></tr>"
            }
            body += "</table><table><tr><th>change</th><th>hosts</th><th>verdict</th></tr>"
            for change in view.changes where change.image == image {
                let verdict = change.verdict == .promote ? "promote to the next image" : "snowflake: rebuild"
                body +=
                    "<tr><td>\(html(change.change.description))</td><td>\(html(change.hosts.joined(separator: ", ")))</td><td class=\"\(change.verdict.rawValue)\">\(verdict)</td></tr>"
            }
            body += "</table>"
        }
        let style = """
            body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}\
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f2f2f2}\
            .investigate{color:#b3001b;font-weight:bold}.rebuild{color:#e4572e}.promote{color:#2a6f97}\
            .snowflake{color:#e4572e}.superseded{color:#b3001b}
            """
        let page =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>driftcheck fleet</title><style>\(style)</style></head><body>\(body)</body></html>\n"
        return Array(page.utf8)
    }
}
