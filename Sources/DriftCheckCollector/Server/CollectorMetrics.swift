import DriftCheck

/// The collector's Prometheus metrics: the fleet's hosts per image and state, the promote candidates per image,
/// pushes by outcome since start, and whether the store answers.
enum CollectorMetrics {
    static func render(_ view: FleetView, counters: [String: Int], storeUp: Bool) -> [UInt8] {
        var text =
            "# HELP driftcheck_fleet_hosts Hosts per image and state (clean, drifted, incident, stale, unverified).\n"
        text += "# TYPE driftcheck_fleet_hosts gauge\n"
        var images = Set(view.hosts.map(\.image))
        images.insert(FleetHost.unknownImage)
        for image in images.sorted() {
            let members = view.hosts.filter { $0.image == image }
            if members.isEmpty && image == FleetHost.unknownImage { continue }
            for state in HostState.allCases {
                let count = members.filter { $0.state == state }.count
                text += "driftcheck_fleet_hosts{image=\"\(PrometheusReportRenderer.label(image))\","
                text += "state=\"\(state.rawValue)\"} \(count)\n"
            }
        }
        text +=
            "# HELP driftcheck_fleet_promote_candidates Changes enough of an image's hosts made to bake into the next image.\n"
        text += "# TYPE driftcheck_fleet_promote_candidates gauge\n"
        for image in view.images {
            let count = view.changes.filter { $0.image == image && $0.verdict == .promote }.count
            text += "driftcheck_fleet_promote_candidates{image=\"\(PrometheusReportRenderer.label(image))\"} \(count)\n"
        }
        text += "# HELP driftcheck_fleet_incidents Changes rated as tampering on two or more hosts of an image.\n"
        text += "# TYPE driftcheck_fleet_incidents gauge\n"
        text += "driftcheck_fleet_incidents \(view.changes.filter { $0.verdict == .incident }.count)\n"
        text +=
            "# HELP driftcheck_collector_requests_total Pushes and enrollments since the collector started, by outcome.\n"
        text += "# TYPE driftcheck_collector_requests_total counter\n"
        for (outcome, count) in counters.sorted(by: { $0.key < $1.key }) {
            text +=
                "driftcheck_collector_requests_total{outcome=\"\(PrometheusReportRenderer.label(outcome))\"} \(count)\n"
        }
        text += "# HELP driftcheck_collector_store_up 1 when the store answered the last check.\n"
        text += "# TYPE driftcheck_collector_store_up gauge\n"
        text += "driftcheck_collector_store_up \(storeUp ? 1 : 0)\n"
        return Array(text.utf8)
    }
}
