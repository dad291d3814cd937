/// The fleet view for a terminal: incidents first, then each image with what to promote, what varies per host and
/// which hosts are snowflakes; then the hosts to rebuild, stale and unverified hosts, and what was resolved. Every
/// name from a report is escaped: reports come from hosts.
package enum FleetTextRenderer {
    package static func render(_ view: FleetView) -> String {
        let counts = Dictionary(grouping: view.hosts, by: \.state).mapValues(\.count)
        let states = HostState.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
        var lines = [
            "driftcheck fleet: \(view.hosts.count) hosts (\(states.joined(separator: ", "))), "
                + "\(view.images.count) images; as of \(UTCTime.format(view.settings.now)), "
                + "stale after \(duration(view.settings.staleAfter))"
        ]
        let incidents = view.changes.filter { $0.verdict == .incident }
        if !incidents.isEmpty {
            lines += ["", "INCIDENTS: the same change looks like tampering on several hosts; never promote it"]
            for change in incidents {
                lines.append("  \(change.image): \(change.title) → \(change.result)")
                lines.append(
                    "      on \(change.hostIndices.count) hosts: \(list(change.hosts))\(since(change.firstSeen))")
            }
        }
        for image in view.images {
            let members = view.hosts(of: image)
            let clean = members.filter { $0.state == .clean }.count
            lines.append("")
            let own = view.changes.filter { $0.image == image }
            let managed = own.filter { $0.verdict == .managed }.count
            lines.append(
                "IMAGE \(image): \(members.count) hosts, \(clean) clean, \(members.count - clean) not; "
                    + "\(own.count - managed) changes owned by no tool"
                    + (managed > 0 ? ", \(managed) managed by tools" : ""))
            if let newer = members.compactMap(\.supersededBy).first {
                lines.append("  superseded by \(newer): rebuild its hosts from the newer image")
            }
            for change in view.changes where change.image == image && change.verdict != .incident {
                lines.append("  " + line(change, of: members.count))
            }
            for gone in view.resolved where gone.image == image {
                lines.append(
                    "  RESOLVED    \(gone.title) on \(gone.host): seen \(gone.firstSeen) to \(gone.lastSeen), "
                        + "gone by \(gone.goneBy)")
            }
        }
        let rebuild = view.rebuild
        if !rebuild.isEmpty {
            lines += ["", "REBUILD"]
            for host in rebuild {
                lines.append("  \(host.name) (\(host.image)): \(host.rebuildBecause.joined(separator: ", "))")
            }
        }
        let stale = view.hosts.filter(\.isStale)
        if !stale.isEmpty {
            lines += ["", "STALE: no report for longer than \(duration(view.settings.staleAfter))"]
            for host in stale { lines.append("  \(host.name): quiet since \(host.lastReport ?? "?")") }
        }
        let unverified = view.hosts.filter { $0.state == .unverified }
        if !unverified.isEmpty {
            lines += ["", "UNVERIFIED: never counted as clean"]
            for host in unverified {
                for problem in host.problems { lines.append("  \(host.name): \(problem)") }
            }
        }
        let ranking = view.ranking
        if !ranking.isEmpty {
            lines += ["", "MOST DRIFTED"]
            for (index, host) in ranking.prefix(20).enumerated() {
                let counts = Severity.allCases.reversed().compactMap { severity in
                    (host.counts[severity] ?? 0) > 0 ? "\(host.counts[severity] ?? 0) \(severity.name)" : nil
                }.joined(separator: ", ")
                let since = host.driftedSince.map { ", drifted since \($0)" } ?? ""
                lines.append("  \(index + 1). \(host.name): \(counts) → \(host.action.rawValue)\(since)")
            }
        }
        for host in view.hosts where !host.history.isEmpty {
            lines += ["", "HISTORY OF \(host.name): \(host.reports) verified reports"]
            for change in host.history {
                let state = change.current ? "still there" : "gone"
                lines.append(
                    "  \(change.title) → \(change.result): first seen \(change.firstSeen), "
                        + "last seen \(change.lastSeen), \(state)")
            }
        }
        for skipped in view.skipped { lines.append("skipped: \(skipped)") }
        // Host names, images and results come from reports: nothing reaches the terminal raw.
        return lines.map(TerminalText.clean).joined(separator: "\n") + "\n"
    }

    private static func line(_ change: FleetChange, of members: Int) -> String {
        let on = "\(change.hostIndices.count)/\(members) hosts"
        switch change.verdict {
        case .promote:
            return "PROMOTE     \(change.title) → \(change.result) — on \(on)\(since(change.firstSeen)): "
                + "bake it into the next image"
        case .variesPerHost:
            return "VARIES      \(change.title) — \(change.values) values on \(on): per-instance configuration; "
                + "template it at boot or quiet it in the policy"
        case .snowflake:
            return "SNOWFLAKE   \(change.title) → \(change.result) — on \(list(change.hosts)): "
                + "rebuild \(change.hostIndices.count == 1 ? "it" : "them")"
        case .investigate:
            return "INVESTIGATE \(change.title) → \(change.result) — on \(list(change.hosts)): "
                + "keep it for forensics, then rebuild it"
        case .incident:
            return "INCIDENT    \(change.title) → \(change.result) — on \(on)"
        case .managed:
            return "MANAGED     \(change.title) → \(change.result) — by \(change.managedBy ?? "a tool") on \(on): "
                + "that tool's work; neither baked nor rebuilt for"
        }
    }

    private static func list(_ hosts: [String]) -> String {
        hosts.count <= 8 ? hosts.joined(separator: ", ") : hosts.prefix(8).joined(separator: ", ") + ", …"
    }

    private static func since(_ time: String?) -> String { time.map { " since \($0)" } ?? "" }

    /// "2d", "36h", "90m", "45s".
    static func duration(_ seconds: Int) -> String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
