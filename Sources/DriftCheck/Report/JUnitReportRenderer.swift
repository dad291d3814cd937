/// JUnit XML for CI systems: one test case per drift item (a failure at or above the gate's severity), or one
/// passing case when nothing drifted.
package enum JUnitReportRenderer {
    private static func xml(_ text: String) -> String { MarkupText.escape(text) }

    package static func render(_ report: Report, failOn: Severity) -> [UInt8] {
        let suite = xml("driftcheck \(report.host.header.host) vs \(report.baseline.header.image ?? "(none)")")
        let failures = report.items.filter { $0.severity >= failOn }.count
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"driftcheck\" tests=\"\(max(1, report.items.count))\" failures=\"\(failures)\">",
            "  <testsuite name=\"\(suite)\" tests=\"\(max(1, report.items.count))\" failures=\"\(failures)\" "
                + "timestamp=\"\(xml(report.generated))\">",
        ]
        if report.items.isEmpty {
            lines.append("    <testcase classname=\"driftcheck\" name=\"no drift\"/>")
        }
        for item in report.items {
            let name = xml("\(item.kind) \(TerminalText.escape(item.name)) \(item.change.rawValue)")
            // "high: content, mode; a note; 3 related files", leaving out what is empty.
            let parts =
                [item.fields.names.joined(separator: ", "), item.note ?? ""]
                + (item.related.isEmpty ? [] : ["\(item.related.count) related files"])
            let detail = xml("\(item.severity.name): " + parts.filter { !$0.isEmpty }.joined(separator: "; "))
            if item.severity >= failOn {
                lines.append("    <testcase classname=\"driftcheck.\(xml(item.kind.name))\" name=\"\(name)\">")
                lines.append("      <failure type=\"\(item.severity.name)\" message=\"\(detail)\"/>")
                lines.append("    </testcase>")
            } else {
                lines.append("    <testcase classname=\"driftcheck.\(xml(item.kind.name))\" name=\"\(name)\">")
                lines.append("      <system-out>\(detail)</system-out>")
                lines.append("    </testcase>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
