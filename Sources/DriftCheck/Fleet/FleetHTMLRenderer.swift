/// The fleet view as one self-contained page (inline CSS and SVG, no external assets): incidents first; then per
/// image the changes to promote with the value each sets, what varies per host, the snowflakes and their hosts,
/// resolved changes and a drift-over-time chart; then the hosts to rebuild, stale and unverified hosts. A legend
/// explains every colour. Every text from a report is escaped.
package enum FleetHTMLRenderer {
    /// The colours of the page and what each means (the legend lists them all).
    static let palette: [HTMLPage.Swatch] = [
        ("incident", "#b3001b", "looks like tampering: investigate, never promote"),
        ("investigate", "#d1495b", "looks like tampering on one host: investigate it"),
        ("promote", "#2a6f97", "the same change with the same value on enough hosts: bake it into the next image"),
        ("varies-per-host", "#8d6cab", "the same name set to a different value per host: template it at boot"),
        ("snowflake", "#e4572e", "changed on a few hosts: rebuild them"),
        ("managed", "#5f7f8f", "owned by a configuration-management tool: neither baked nor a reason to rebuild"),
        ("stale", "#7f7f7f", "no report for longer than --stale-after: the host went quiet"),
        ("unverified", "#3d3d3d", "a report that does not verify: never counted as clean"),
        ("drifted", "#f3a712", "drifted hosts (chart)"),
        ("clean", "#4c9f70", "clean hosts (chart)"),
    ]

    private static func colour(_ name: String) -> String {
        palette.first { $0.name == name }?.colour ?? "#999999"
    }

    /// Text from a report (already terminal-escaped or not) made safe for the page.
    private static func text(_ value: String) -> String {
        MarkupText.escape(TerminalText.clean(value))
    }

    package static func render(_ view: FleetView, refreshSeconds: Int? = nil) -> [UInt8] {
        let generated = UTCTime.format(view.settings.now)
        let counts = Dictionary(grouping: view.hosts, by: \.state).mapValues(\.count)
        var body = "<h1>driftcheck fleet</h1><p>\(view.hosts.count) hosts, \(view.images.count) images — as of "
        body += "\(text(generated)); stale after \(FleetTextRenderer.duration(view.settings.staleAfter))</p>"
        body += "<p class=\"states\">"
        for state in HostState.allCases {
            body += "<span class=\"badge \(state.rawValue)\">\(counts[state] ?? 0) \(state.rawValue)</span> "
        }
        body += "</p>" + legend()
        let incidents = view.changes.filter { $0.verdict == .incident }
        if !incidents.isEmpty {
            body += "<h2 class=\"incident\">Incidents</h2><table><tr><th>image</th><th>change</th><th>value</th>"
            body += "<th>hosts</th><th>since</th></tr>"
            for change in incidents {
                body += "<tr class=\"incident\"><td>\(text(change.image))</td><td>\(text(change.title))</td>"
                body += "<td>\(text(change.result))</td><td>\(text(change.hosts.joined(separator: ", ")))</td>"
                body += "<td>\(text(change.firstSeen ?? ""))</td></tr>"
            }
            body += "</table>"
        }
        for image in view.images {
            let members = view.hosts(of: image)
            body += "<h2>Image \(text(image))</h2><p>\(members.count) hosts: "
            body +=
                HostState.allCases.compactMap { state in
                    let count = members.filter { $0.state == state }.count
                    return count == 0 ? nil : "\(count) \(state.rawValue)"
                }.joined(separator: ", ") + "</p>"
            if let newer = members.compactMap(\.supersededBy).first {
                body += "<p class=\"superseded\">Superseded by \(text(newer)): rebuild these hosts from it.</p>"
            }
            body += timeline(view.timelines[image] ?? [], image: image)
            let changes = view.changes.filter { $0.image == image && $0.verdict != .incident }
            if !changes.isEmpty {
                body += "<table><tr><th>verdict</th><th>change</th><th>value it sets</th><th>hosts</th>"
                body += "<th>since</th></tr>"
                for change in changes {
                    let hosts = "\(change.hostIndices.count)/\(members.count): " + change.hosts.joined(separator: ", ")
                    body += "<tr><td class=\"\(change.verdict.rawValue)\">\(change.verdict.rawValue)</td>"
                    body += "<td>\(text(change.title))</td><td>\(text(change.result))</td><td>\(text(hosts))</td>"
                    body += "<td>\(text(change.firstSeen ?? ""))</td></tr>"
                }
                body += "</table>"
            }
            let resolved = view.resolved.filter { $0.image == image }
            if !resolved.isEmpty {
                body += "<h3>Resolved</h3><table><tr><th>host</th><th>change</th><th>seen</th><th>gone by</th></tr>"
                for gone in resolved {
                    body += "<tr><td>\(text(gone.host))</td><td>\(text(gone.title))</td>"
                    body +=
                        "<td>\(text(gone.firstSeen)) – \(text(gone.lastSeen))</td><td>\(text(gone.goneBy))</td></tr>"
                }
                body += "</table>"
            }
        }
        body += hostTables(view)
        if !view.skipped.isEmpty {
            body += "<h2>Skipped files</h2><ul>"
            for skipped in view.skipped { body += "<li>\(text(skipped))</li>" }
            body += "</ul>"
        }
        let style = """
            body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 16px}\
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f2f2}\
            .badge{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;margin-right:4px}\
            .legend span.swatch{display:inline-block;width:12px;height:12px;margin-right:6px}\
            .superseded{color:#b3001b}tr.incident td{background:#fbe3e6}
            """
        var colours = ""
        for entry in palette {
            colours +=
                ".\(entry.name){color:\(entry.colour)}.badge.\(entry.name){background:\(entry.colour);color:#fff}"
        }
        colours += ".badge.drifted{background:\(colour("drifted"))}.badge.clean{background:\(colour("clean"))}"
        return HTMLPage.document(
            title: "driftcheck fleet", style: style + colours, body: body, refreshSeconds: refreshSeconds)
    }

    private static func legend() -> String {
        "<div class=\"legend\"><h2>Legend</h2>" + HTMLPage.legendList(palette) + "</div>"
    }

    private static func hostTables(_ view: FleetView) -> String {
        var html = ""
        let rebuild = view.rebuild
        if !rebuild.isEmpty {
            html += "<h2>Hosts to rebuild</h2><table><tr><th>host</th><th>image</th><th>why</th></tr>"
            for host in rebuild {
                let why = host.rebuildBecause.map { "<span class=\"\($0)\">\($0)</span>" }.joined(separator: ", ")
                html += "<tr><td>\(text(host.name))</td><td>\(text(host.image))</td><td>\(why)</td></tr>"
            }
            html += "</table>"
        }
        let stale = view.hosts.filter(\.isStale)
        if !stale.isEmpty {
            html +=
                "<h2 class=\"stale\">Stale hosts</h2><table><tr><th>host</th><th>image</th><th>quiet since</th></tr>"
            for host in stale {
                html += "<tr><td>\(text(host.name))</td><td>\(text(host.image))</td>"
                html += "<td>\(text(host.lastReport ?? ""))</td></tr>"
            }
            html += "</table>"
        }
        let refused = view.hosts.filter { $0.state == .incident && !$0.problems.isEmpty }
        if !refused.isEmpty {
            html += "<h2 class=\"incident\">Refused pushes</h2><table><tr><th>host</th><th>what happened</th></tr>"
            for host in refused {
                html += "<tr><td>\(text(host.name))</td><td>\(text(host.problems.joined(separator: "; ")))</td></tr>"
            }
            html += "</table>"
        }
        let unverified = view.hosts.filter { $0.state == .unverified }
        if !unverified.isEmpty {
            html += "<h2 class=\"unverified\">Unverified hosts</h2><table><tr><th>host</th><th>problem</th></tr>"
            for host in unverified {
                html += "<tr><td>\(text(host.name))</td><td>\(text(host.problems.joined(separator: "; ")))</td></tr>"
            }
            html += "</table>"
        }
        for host in view.hosts where !host.history.isEmpty {
            html += "<h2>History of \(text(host.name))</h2><table><tr><th>change</th><th>value</th>"
            html += "<th>first seen</th><th>last seen</th><th>now</th></tr>"
            for change in host.history {
                html += "<tr><td>\(text(change.title))</td><td>\(text(change.result))</td>"
                html += "<td>\(text(change.firstSeen))</td><td>\(text(change.lastSeen))</td>"
                html += "<td>\(change.current ? "still there" : "gone")</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Hosts</h2><table><tr><th>host</th><th>image</th><th>state</th><th>last report</th>"
        html += "<th>drifted since</th><th>critical</th><th>high</th><th>medium</th><th>low</th><th>action</th></tr>"
        for host in view.hosts {
            html += "<tr><td>\(text(host.name))</td><td>\(text(host.image))</td>"
            html += "<td class=\"\(host.state.rawValue)\">\(host.state.rawValue)\(host.isStale ? " (stale)" : "")</td>"
            html += "<td>\(text(host.lastReport ?? ""))</td><td>\(text(host.driftedSince ?? ""))</td>"
            for severity in [Severity.critical, .high, .medium, .low] {
                html += "<td>\(host.counts[severity] ?? 0)</td>"
            }
            html += "<td>\(host.action.rawValue)</td></tr>"
        }
        return html + "</table>"
    }

    /// Stacked bars, one per day: clean, drifted and incident hosts of the image by their last report that day.
    private static func timeline(_ days: [TimelineDay], image: String) -> String {
        guard !days.isEmpty else { return "" }
        let shown = days.suffix(60)
        let maximum = max(1, shown.map { $0.clean + $0.drifted + $0.incident }.max() ?? 1)
        let barWidth = 18
        let height = 120
        let width = max(360, shown.count * (barWidth + 6) + 40)
        var svg = "<svg role=\"img\" aria-label=\"drift over time for \(text(image))\" width=\"\(width)\" "
        svg += "height=\"\(height + 40)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (index, day) in shown.enumerated() {
            let x = 30 + index * (barWidth + 6)
            var y = height
            for (count, name) in [(day.clean, "clean"), (day.drifted, "drifted"), (day.incident, "incident")] {
                guard count > 0 else { continue }
                let length = max(2, count * (height - 10) / maximum)
                y -= length
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth)\" height=\"\(length)\" "
                svg += "fill=\"\(colour(name))\"><title>\(day.day): \(count) \(name)</title></rect>"
            }
            if index == 0 || index == shown.count - 1 {
                svg +=
                    "<text x=\"\(x)\" y=\"\(height + 16)\" font-size=\"10\">\(text(String(day.day.suffix(5))))</text>"
            }
        }
        svg += "<text x=\"0\" y=\"12\" font-size=\"11\">\(maximum)</text>"
        svg += "<text x=\"30\" y=\"\(height + 34)\" font-size=\"11\">drift over time: hosts per day</text>"
        return "<h3>Drift over time</h3>" + svg + "</svg>"
    }
}
