/// The fleet view for automation (schema `driftcheck-fleet/2`): the lists to act on at the top (`rebuild`,
/// `promote`, `superseded`, `incidents`, `unverified`), then every image with its changes, resolved changes and
/// daily timeline, and every host.
package enum FleetJSONRenderer {
    package static let schema = "driftcheck-fleet/2"

    package static func render(_ view: FleetView) -> [UInt8] {
        var json = JSONBuilder(capacity: 16384)
        json.openObject()
        json.field("schema", schema)
        json.field("generated", UTCTime.format(view.settings.now))
        json.key("settings")
        json.openObject()
        json.field("promote_share", view.settings.promotePercent)
        json.field("promote_minimum", view.settings.promoteMinimum)
        json.field("stale_after_seconds", view.settings.staleAfter)
        json.key("trusted_keys")
        json.stringArray(view.settings.trustedKeyIDs)
        json.closeObject()
        json.key("summary")
        json.openObject()
        json.field("hosts", view.hosts.count)
        for state in HostState.allCases { json.field(state.rawValue, view.hosts.filter { $0.state == state }.count) }
        json.field("stale_hosts", view.hosts.filter(\.isStale).count)
        json.field("incidents", view.changes.filter { $0.verdict == .incident }.count)
        json.field("promote", view.changes.filter { $0.verdict == .promote }.count)
        json.field("managed_changes", view.changes.filter { $0.verdict == .managed }.count)
        json.field("unmanaged_changes", view.changes.filter { $0.verdict != .managed }.count)
        json.field("skipped_files", view.skipped.count)
        json.closeObject()
        json.key("rebuild")
        json.openArray()
        for host in view.rebuild {
            json.openObject()
            json.field("host", host.name)
            json.field("image", host.image)
            json.key("why")
            json.stringArray(host.rebuildBecause)
            json.closeObject()
        }
        json.closeArray()
        json.key("promote")
        json.openArray()
        // The hosts of each promoted change are listed under its image; here, what to bake and how many made it.
        for change in view.changes where change.verdict == .promote {
            Self.change(change, listingHosts: false, into: &json)
        }
        json.closeArray()
        json.key("superseded")
        json.openArray()
        for host in view.hosts where host.supersededBy != nil && host.state != .unverified {
            json.openObject()
            json.field("host", host.name)
            json.field("image", host.image)
            json.field("superseded_by", host.supersededBy ?? "")
            json.closeObject()
        }
        json.closeArray()
        json.key("incidents")
        json.openArray()
        for change in view.changes where change.verdict == .incident { Self.change(change, into: &json) }
        json.closeArray()
        json.key("images")
        json.openArray()
        for image in view.images {
            let members = view.hosts(of: image)
            json.openObject()
            json.field("image", image)
            json.field("hosts", members.count)
            for state in HostState.allCases { json.field(state.rawValue, members.filter { $0.state == state }.count) }
            json.field("superseded_by", members.compactMap(\.supersededBy).first)
            json.key("changes")
            json.openArray()
            for change in view.changes where change.image == image { Self.change(change, into: &json) }
            json.closeArray()
            json.key("resolved")
            json.openArray()
            for gone in view.resolved where gone.image == image {
                json.openObject()
                json.field("host", gone.host)
                json.field("change", gone.title)
                json.field("result", gone.result)
                json.field("first_seen", gone.firstSeen)
                json.field("last_seen", gone.lastSeen)
                json.field("gone_by", gone.goneBy)
                json.closeObject()
            }
            json.closeArray()
            json.key("timeline")
            json.openArray()
            for day in view.timelines[image] ?? [] {
                json.openObject()
                json.field("day", day.day)
                json.field("clean", day.clean)
                json.field("drifted", day.drifted)
                json.field("incident", day.incident)
                json.closeObject()
            }
            json.closeArray()
            json.closeObject()
        }
        json.closeArray()
        json.key("hosts")
        json.openArray()
        for host in view.hosts {
            json.openObject()
            json.field("host", host.name)
            json.field("image", host.image)
            json.field("state", host.state.rawValue)
            json.field("stale", host.isStale)
            json.field("last_report", host.lastReport)
            json.field("drifted_since", host.driftedSince)
            json.field("action", host.action.rawValue)
            json.field("score", host.score)
            for severity in Severity.allCases.reversed() { json.field(severity.name, host.counts[severity] ?? 0) }
            json.field("reports", host.reports)
            json.key("problems")
            json.stringArray(host.problems)
            if !host.history.isEmpty {
                json.key("history")
                history(host.history, into: &json)
            }
            json.closeObject()
        }
        json.closeArray()
        json.key("skipped")
        json.stringArray(view.skipped)
        json.closeObject()
        return json.bytes + [0x0A]
    }

    /// A host's changes with when each was first and last seen (`fleet --host`, the collector's host document).
    package static func history(_ changes: [ChangeHistory], into json: inout JSONBuilder) {
        json.openArray()
        for change in changes {
            json.openObject()
            json.field("change", change.title)
            json.field("result", change.result)
            json.field("first_seen", change.firstSeen)
            json.field("last_seen", change.lastSeen)
            json.field("current", change.current)
            json.closeObject()
        }
        json.closeArray()
    }

    private static func change(_ change: FleetChange, listingHosts: Bool = true, into json: inout JSONBuilder) {
        json.openObject()
        json.field("image", change.image)
        json.field("verdict", change.verdict.rawValue)
        json.field("kind", change.slot.kind.name)
        json.byteStringField("name", change.slot.name)
        json.field("change", change.slot.change)
        json.field("title", change.title)
        json.field("result", change.result)
        json.field("identity", change.identity.isEmpty ? nil : change.identity)
        json.field("values", change.values)
        json.field("severity", change.severity.name)
        json.field("first_seen", change.firstSeen)
        if let tool = change.managedBy { json.field("managed_by", tool) }
        json.field("host_count", change.hostIndices.count)
        if listingHosts {
            json.key("hosts")
            json.stringArray(change.hosts)
        }
        json.closeObject()
    }
}
