/// Renders a report as one JSON document (schema `driftcheck-report/1`) for dashboards and pipelines.
package enum JSONReportRenderer {
    package static func render(_ report: Report) -> [UInt8] {
        var json = JSONBuilder(capacity: 4096)
        json.openObject()
        json.field("schema", Report.schema)
        json.field("generated", report.generated)
        json.field("tool", report.tool)
        json.field("host", report.host.header.host)
        json.field("image", report.host.header.image)
        json.field("image_mismatch", report.imageMismatch)
        json.field("policy", report.policyDigest)
        json.field("superseded_by", report.lifecycle.supersededBy)
        json.key("image_age_days")
        if let age = report.lifecycle.ageDays { json.number(age) } else { json.null() }
        json.key("baseline")
        source(report.baseline, into: &json)
        json.key("host_manifest")
        source(report.host, into: &json)
        json.key("summary")
        json.openObject()
        let counts = report.counts
        for severity in Severity.allCases.reversed() { json.field(severity.name, counts[severity] ?? 0) }
        json.field("total", report.items.count)
        json.field("grouped_files", report.groupedCount)
        json.key("by_kind")
        json.openObject()
        for (kind, items) in report.itemsByKind { json.field(kind.name, items.count) }
        json.closeObject()
        json.field("baseline_entries", report.statistics.baselineEntries)
        json.field("host_entries", report.statistics.hostEntries)
        json.field("not_compared", report.statistics.notCompared)
        json.field("allowed_live", report.statistics.allowed)
        json.field("ignored_by_policy", report.statistics.ignored)
        json.closeObject()
        let recommendation = report.recommendation
        json.key("recommendation")
        json.openObject()
        json.field("action", recommendation.action.rawValue)
        json.key("reasons")
        json.stringArray(recommendation.reasons)
        json.closeObject()
        json.key("drift")
        json.openArray()
        for item in report.items { Self.item(item, into: &json) }
        json.closeArray()
        json.closeObject()
        return json.bytes + [0x0A]
    }

    private static func source(_ source: ManifestSource, into json: inout JSONBuilder) {
        json.openObject()
        json.field("path", source.path)
        json.field("image", source.header.image)
        json.field("host", source.header.host)
        json.field("time", source.header.time)
        json.field("key_id", source.keyID)
        json.field("sha256", Hex.encode(source.digest))
        json.field("entries", source.entries)
        json.closeObject()
    }

    /// One drift item, with its related items nested.
    package static func item(_ item: DriftItem, into json: inout JSONBuilder) {
        json.openObject()
        json.field("kind", item.kind.name)
        json.byteStringField("name", item.name)
        json.field("change", item.change.rawValue)
        json.key("fields")
        json.stringArray(item.fields.names)
        json.field("severity", item.severity.name)
        if let note = item.note { json.field("note", note) }
        if item.tampering { json.field("tampering", true) }
        if let tool = item.managedBy { json.field("managed_by", tool) }
        json.key("baseline")
        value(item.baseline, into: &json)
        json.key("host")
        value(item.host, into: &json, withContent: true)
        if let diff = item.diff {
            json.key("diff")
            json.openObject()
            json.field("added", diff.added)
            json.field("removed", diff.removed)
            json.field("truncated", diff.truncated)
            json.field("text", diff.text)
            json.closeObject()
        }
        if let evidence = item.evidence { Self.evidence(evidence, into: &json) }
        if !item.related.isEmpty {
            json.key("related")
            json.openArray()
            for related in item.related { Self.item(related, into: &json) }
            json.closeArray()
        }
        json.closeObject()
    }

    /// `"evidence": {changed, modified, label, claims: [{source, text}], summary}`.
    private static func evidence(_ evidence: Evidence, into json: inout JSONBuilder) {
        json.key("evidence")
        json.openObject()
        json.key("changed")
        if let changed = evidence.changed { json.string(UTCTime.format(Int(changed))) } else { json.null() }
        if let modified = evidence.modified { json.field("modified", UTCTime.format(Int(modified))) }
        json.field("label", Evidence.label)
        json.key("claims")
        json.openArray()
        for claim in evidence.claims {
            json.openObject()
            json.field("source", claim.source)
            json.field("text", claim.text)
            json.closeObject()
        }
        json.closeArray()
        json.field("summary", evidence.summary)
        json.closeObject()
    }

    /// A side of an item. The host side carries the content the host manifest kept (`content_gz`, base64 of
    /// gzip), which `bake` writes into the next image; the baseline side's is in the image already.
    private static func value(_ value: DriftValue?, into json: inout JSONBuilder, withContent: Bool = false) {
        switch value {
        case nil: json.null()
        case .text(let text): json.string(text)
        case .record(let record):
            json.openObject()
            for field in record.fields {
                json.key(field.key)
                ManifestEncoding.value(field.value, into: &json)
            }
            json.closeObject()
        case .file(let entry):
            json.openObject()
            json.field("type", entry.type.rawValue)
            json.field("mode", entry.modeText)
            json.field("uid", entry.uid)
            json.field("gid", entry.gid)
            json.field("size", entry.size)
            json.field("mtime", entry.modified.description)
            json.field("ctime", entry.changed.description)
            if let rdev = entry.deviceNumberText { json.field("rdev", rdev) }
            if let digest = entry.sha256 {
                json.field(entry.blockDigest ? "sha256_blocks" : "sha256", Hex.encode(digest))
            }
            if let target = entry.target { json.byteStringField("target", target) }
            if let capabilities = entry.capabilities { json.field("caps", Hex.encode(capabilities)) }
            if let package = entry.package { json.field("pkg", package) }
            if entry.conffile { json.field("conffile", true) }
            if let unscanned = entry.unscanned { json.field("unscanned", unscanned) }
            if let error = entry.error { json.field("error", error) }
            if withContent, let content = entry.content { json.field("content_gz", Base64.encode(content)) }
            json.closeObject()
        }
    }
}
