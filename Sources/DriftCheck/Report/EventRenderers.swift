/// NDJSON for log shippers (Fluent Bit, Vector, Filebeat → Elasticsearch, Loki, Sumo Logic): one event per drift
/// item, each self-contained with host, image, time and severity, then one summary event.
package enum NDJSONReportRenderer {
    package static func render(_ report: Report) -> [UInt8] {
        var output: [UInt8] = []
        var json = JSONBuilder(capacity: 1024)
        func common() {
            json.field("time", report.generated)
            json.field("host", report.host.header.host)
            json.key("image")
            if let image = report.host.header.image { json.string(image) } else { json.null() }
        }
        for item in report.items {
            json.reset()
            json.openObject()
            json.field("event", "drift")
            common()
            json.field("severity", item.severity.name)
            json.field("kind", item.kind)
            json.byteStringField("name", item.name)
            json.field("change", item.change.rawValue)
            json.key("fields")
            json.stringArray(item.fields)
            if let note = item.note { json.field("note", note) }
            json.field("related", item.related.count)
            json.closeObject()
            output += json.bytes + [0x0A]
        }
        let recommendation = report.recommendation
        json.reset()
        json.openObject()
        json.field("event", "summary")
        common()
        json.field("drift_items", report.items.count)
        let counts = report.counts
        for severity in Severity.allCases.reversed() { json.field(severity.name, counts[severity] ?? 0) }
        json.field("recommendation", recommendation.action)
        json.field("image_mismatch", report.imageMismatch)
        json.field("policy", report.policyDigest)
        json.closeObject()
        return output + json.bytes + [0x0A]
    }
}

/// Prometheus text exposition for node_exporter's textfile collector.
package enum PrometheusReportRenderer {
    private static func label(_ text: String) -> String {
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
        let scanned = BaselineStore.epochSeconds(report.host.header.time) ?? 0
        lines += [
            "# HELP driftcheck_last_scan_timestamp_seconds When the compared host manifest was made.",
            "# TYPE driftcheck_last_scan_timestamp_seconds gauge",
            "driftcheck_last_scan_timestamp_seconds{\(identity)} \(scanned)",
            "# HELP driftcheck_rebuild_recommended 1 when the recommendation is rebuild or investigate.",
            "# TYPE driftcheck_rebuild_recommended gauge",
            "driftcheck_rebuild_recommended{\(identity)} \(report.recommendation.action == "none" ? 0 : 1)",
            "# HELP driftcheck_investigate_recommended 1 when the drift looks like tampering.",
            "# TYPE driftcheck_investigate_recommended gauge",
            "driftcheck_investigate_recommended{\(identity)} \(report.recommendation.action == "investigate" ? 1 : 0)",
            "# HELP driftcheck_image_mismatch 1 when the host says it was built from another image than the baseline.",
            "# TYPE driftcheck_image_mismatch gauge",
            "driftcheck_image_mismatch{\(identity)} \(report.imageMismatch ? 1 : 0)",
        ]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}

/// JUnit XML for CI systems: one test case per drift item (a failure at or above the gate's severity), or one
/// passing case when nothing drifted.
package enum JUnitReportRenderer {
    private static func xml(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default:
                // XML 1.0 cannot carry most control characters even escaped.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" {
                    escaped += "\\x" + Hex.encode([UInt8(scalar.value)])
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    package static func render(_ report: Report, failOn: Severity) -> [UInt8] {
        let suite = xml("driftcheck \(report.host.header.host) vs \(report.baseline.header.image ?? "(none)")")
        let failures = report.items.filter { $0.severity >= failOn }.count
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"driftcheck\" tests=\"\(max(1, report.items.count))\" failures=\"\(failures)\">",
            "  <testsuite name=\"\(suite)\" tests=\"\(max(1, report.items.count))\" failures=\"\(failures)\" timestamp=\"\(xml(report.generated))\">",
        ]
        if report.items.isEmpty {
            lines.append("    <testcase classname=\"driftcheck\" name=\"no drift\"/>")
        }
        for item in report.items {
            let name = xml("\(item.kind) \(TerminalText.escape(item.name)) \(item.change.rawValue)")
            // "high: content, mode; a note; 3 related files", leaving out what is empty.
            let parts =
                [item.fields.joined(separator: ", "), item.note ?? ""]
                + (item.related.isEmpty ? [] : ["\(item.related.count) related files"])
            let detail = xml("\(item.severity.name): " + parts.filter { !$0.isEmpty }.joined(separator: "; "))
            if item.severity >= failOn {
                lines.append("    <testcase classname=\"driftcheck.\(xml(item.kind))\" name=\"\(name)\">")
                lines.append("      <failure type=\"\(item.severity.name)\" message=\"\(detail)\"/>")
                lines.append("    </testcase>")
            } else {
                lines.append("    <testcase classname=\"driftcheck.\(xml(item.kind))\" name=\"\(name)\">")
                lines.append("      <system-out>\(detail)</system-out>")
                lines.append("    </testcase>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
