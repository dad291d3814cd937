/// One top-level drift item of a host's report as the fleet compares them across hosts: identified by what changed
/// (kind, name as raw bytes, change) and by the result: the state the host ended up in, with everything grouped
/// under the item. Hosts that made the same change with the same result share an identity; the same name changed
/// to different values gives different identities in the same ``slot``.
package struct HostChange: Sendable {
    /// The kind, name and change: what hosts changed, whatever they changed it to.
    package struct Slot: Hashable, Sendable {
        package var kind: EntryKind
        /// Raw bytes (a report's `name_b64` when the name is not UTF-8).
        package var name: [UInt8]
        /// As the report spells it (a newer version may name a change this one does not know).
        package var change: String
    }

    package var slot: Slot
    package var fields: [String]
    /// SHA-256 of the result of the item and of every item grouped under it.
    package var identity: [UInt8]
    /// The value the change sets, for people: "1.22.1-9", "sha256 5f2c…, mode 4755", "enabled".
    package var result: String
    package var severity: Severity
    /// Tampering-grade: critical, marked `tampering` by the host's comparison, or with a critical item under it.
    package var tampering: Bool
    /// Items grouped under it.
    package var related: Int
    /// The configuration-management tool the host's policy says owns it.
    package var managedBy: String?

    /// "kind name change (fields)", with the name escaped for a terminal or a page.
    package var title: String {
        let text = "\(slot.kind) \(TerminalText.escape(slot.name)) \(slot.change)"
        return fields.isEmpty ? text : "\(text) (\(fields.joined(separator: ", ")))"
    }

    /// Reads one item of a report's `drift` list; nil when it is not an object with a kind, a name and a change.
    /// `described` remembers the result text of identities already seen, so each is worded once.
    init?(item: JSONValue, described: inout [[UInt8]: String]) {
        guard let kind = item["kind"]?.stringValue, let change = item["change"]?.stringValue,
            let name = item["name_b64"]?.stringBytes.flatMap(Base64.decode) ?? item["name"]?.stringBytes
        else { return nil }
        slot = Slot(kind: EntryKind(kind), name: name, change: change)
        if case .array(let list)? = item["fields"] { fields = list.compactMap(\.stringValue) } else { fields = [] }
        severity = item["severity"]?.stringValue.flatMap(Severity.init(name:)) ?? .info
        var related: [JSONValue] = []
        if case .array(let list)? = item["related"] { related = list }
        self.related = related.count
        managedBy = item["managed_by"]?.stringValue
        // Security first: a critical item anywhere under it blocks promotion, even one the host's comparison
        // explains (a setuid binary its package brought): baking privilege into an image is a deliberate act.
        tampering =
            severity == .critical || item["tampering"] == .bool(true)
            || related.contains { $0["severity"]?.stringValue == Severity.critical.name }
        var canonical: [UInt8] = []
        canonical.reserveCapacity(4096)
        Self.appendResult(of: item, to: &canonical)
        let identity = canonical.withUnsafeBytes { SHA256Hasher.digest($0) }
        self.identity = identity
        if let known = described[identity] {
            result = known
        } else {
            result = Self.summary(of: item, fields: fields)
            described[identity] = result
        }
    }

    /// Keys of a file value that differ between hosts made from one image without meaning a different result.
    private static let incidentalKeys: Set<String> = RecordEntry.evidenceKeys.union(["mtime", "ctime", "content_gz"])

    /// The canonical bytes of an item's result: kind, name, change, changed fields, the host-side value without
    /// incidental keys, then the results of the grouped items in order. Every piece is length-prefixed, so no two
    /// results share bytes.
    private static func appendResult(of item: JSONValue, to bytes: inout [UInt8]) {
        for key in ["kind", "name", "name_b64", "change"] { appendString(item[key]?.stringBytes ?? [], to: &bytes) }
        if case .array(let list)? = item["fields"] {
            for field in list { appendString(field.stringBytes ?? [], to: &bytes) }
        }
        bytes.append(0x7C)
        appendValue(item["host"] ?? .null, skippingIncidental: true, to: &bytes)
        if case .array(let list)? = item["related"] {
            bytes.append(0x5B)
            for child in list { appendResult(of: child, to: &bytes) }
            bytes.append(0x5D)
        }
        bytes.append(0x0A)
    }

    private static func appendLength(_ count: Int, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: count).littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendString(_ text: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(0x73)
        appendLength(text.count, to: &bytes)
        bytes.append(contentsOf: text)
    }

    /// A value in the order the report wrote it (every host's report is written by the same renderer), without
    /// `mtime` at the top level of a file value when `skippingIncidental`.
    private static func appendValue(_ value: JSONValue, skippingIncidental: Bool, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(0x6E)
        case .bool(let flag): bytes.append(flag ? 0x74 : 0x66)
        case .integer(let number):
            bytes.append(0x69)
            withUnsafeBytes(of: number.littleEndian) { bytes.append(contentsOf: $0) }
        case .string(let text): appendString(text, to: &bytes)
        case .array(let list):
            bytes.append(0x61)
            appendLength(list.count, to: &bytes)
            for element in list { appendValue(element, skippingIncidental: false, to: &bytes) }
        case .object(let members):
            let kept = members.filter { !(skippingIncidental && incidentalKeys.contains($0.0)) }
            bytes.append(0x6F)
            appendLength(kept.count, to: &bytes)
            for (key, member) in kept {
                appendString(Array(key.utf8), to: &bytes)
                appendValue(member, skippingIncidental: false, to: &bytes)
            }
        }
    }

    /// The value the change sets, in a few words.
    private static func summary(of item: JSONValue, fields: [String]) -> String {
        guard let host = item["host"], host != .null else { return "removed" }
        if let text = host.stringValue { return TerminalText.clean(text) }
        func text(_ key: String) -> String? {
            guard let value = host[key] else { return nil }
            switch value {
            case .string(let bytes):
                return Hex.abbreviatingDigest(TerminalText.escape(bytes))
            case .integer(let number): return String(number)
            case .bool(let flag): return flag ? "yes" : "no"
            case .array(let list): return list.compactMap(\.stringValue).joined(separator: " ")
            default: return nil
            }
        }
        if item["kind"]?.stringValue == "file" {
            let fileKeys: [(field: String, key: String, label: String)] = [
                ("type", "type", "type"), ("content", "sha256", "sha256"), ("content", "sha256_blocks", "sha256"),
                ("mode", "mode", "mode"), ("owner", "uid", "uid"), ("group", "gid", "gid"),
                ("target", "target", "target"), ("capabilities", "caps", "caps"),
            ]
            let added = item["change"]?.stringValue == "added"
            let parts = fileKeys.compactMap { entry -> String? in
                guard added || fields.contains(entry.field), let value = text(entry.key) else { return nil }
                return "\(entry.label) \(value)"
            }
            return parts.isEmpty ? "unchanged content" : parts.joined(separator: ", ")
        }
        if let version = text("version") { return version }
        let keys: [String]
        if case .object(let members) = host {
            let changed = members.map(\.0).filter(fields.contains)
            keys = changed.isEmpty ? members.map(\.0) : changed
        } else {
            keys = []
        }
        return keys.prefix(4).compactMap { key in text(key).map { "\(key) \($0)" } }.joined(separator: ", ")
    }
}
