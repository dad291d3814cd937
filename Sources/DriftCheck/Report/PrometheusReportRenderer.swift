/// Prometheus text exposition for node_exporter's textfile collector.
package enum PrometheusReportRenderer {
    package static func label(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    package static func render(_ report: Report) -> [UInt8] {
        let host = label(report.host.header.host)
        let image = label(report.host.header.image ?? "")
        let identity = "host=\"\(host)\",image=\"\(image)\""
        let counts = report.counts
        var lines = [
            "# HELP driftcheck_drift_items Drift items found by the last comparison, by severity.",
            "# TYPE driftcheck_drift_items gauge",
        ]
        for severity in Severity.allCases.reversed() {
            lines.append("driftcheck_drift_items{\(identity),severity=\"\(severity.name)\"} \(counts[severity] ?? 0)")
        }
        let scanned = UTCTime.seconds(report.host.header.time) ?? 0
        lines += [
            "# HELP driftcheck_last_scan_timestamp_seconds When the compared host manifest was made.",
            "# TYPE driftcheck_last_scan_timestamp_seconds gauge",
            "driftcheck_last_scan_timestamp_seconds{\(identity)} \(scanned)",
            "# HELP driftcheck_rebuild_recommended 1 when the recommendation is rebuild or investigate.",
            "# TYPE driftcheck_rebuild_recommended gauge",
            "driftcheck_rebuild_recommended{\(identity)} \(report.recommendation.action == .none ? 0 : 1)",
            "# HELP driftcheck_investigate_recommended 1 when the drift looks like tampering.",
            "# TYPE driftcheck_investigate_recommended gauge",
            "driftcheck_investigate_recommended{\(identity)} \(report.recommendation.action == .investigate ? 1 : 0)",
            "# HELP driftcheck_image_mismatch 1 when the host says it was built from another image than the baseline.",
            "# TYPE driftcheck_image_mismatch gauge",
            "driftcheck_image_mismatch{\(identity)} \(report.imageMismatch ? 1 : 0)",
        ]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
