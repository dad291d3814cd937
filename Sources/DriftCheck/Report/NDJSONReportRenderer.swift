/// NDJSON for log shippers (Fluent Bit, Vector, Filebeat → Elasticsearch, Loki, Sumo Logic): one event per drift
/// item, each self-contained with host, image, time and severity, then one summary event.
package enum NDJSONReportRenderer {
    package static func render(_ report: Report) -> [UInt8] {
        var output: [UInt8] = []
        var json = JSONBuilder(capacity: 1024)
        func common() {
            json.field("time", report.generated)
            json.field("host", report.host.header.host)
            json.field("image", report.host.header.image)
        }
        for item in report.items {
            json.reset()
            json.openObject()
            json.field("event", "drift")
            common()
            json.field("severity", item.severity.name)
            json.field("kind", item.kind.name)
            json.byteStringField("name", item.name)
            json.field("change", item.change.rawValue)
            json.key("fields")
            json.stringArray(item.fields.names)
            if let note = item.note { json.field("note", note) }
            json.field("related", item.related.count)
            // What a log search wants in one field: the evidence sentence and the diff text.
            if let evidence = item.evidence { json.field("evidence", evidence.summary) }
            if let diff = item.diff { json.field("diff", diff.text) }
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
        json.field("recommendation", recommendation.action.rawValue)
        json.field("image_mismatch", report.imageMismatch)
        json.field("policy", report.policyDigest)
        json.closeObject()
        return output + json.bytes + [0x0A]
    }
}
