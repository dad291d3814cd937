import Glibc

/// Compares two manifests as a streaming merge-join: both are in canonical order, so one pass with one entry of
/// each in hand finds every added, removed and modified entry in constant memory.
package enum Comparer {
    /// The attributes that differ between two entries for the same path, in the report's vocabulary.
    package static func differingFields(_ baseline: FileEntry, _ host: FileEntry) -> [DriftField] {
        var fields: [DriftField] = []
        if baseline.type != host.type {
            fields.append(.type)
        } else {
            if baseline.type == .file {
                if let old = baseline.sha256, let new = host.sha256,
                    old != new || baseline.blockDigest != host.blockDigest
                {
                    fields.append(.content)
                }
                if baseline.size != host.size { fields.append(.size) }
            }
            if baseline.permissions != host.permissions { fields.append(.mode) }
            if baseline.uid != host.uid { fields.append(.owner) }
            if baseline.gid != host.gid { fields.append(.group) }
            if baseline.target != host.target { fields.append(.target) }
            if baseline.deviceNumber != host.deviceNumber { fields.append(.device) }
        }
        if baseline.capabilities != host.capabilities { fields.append(.capabilities) }
        if baseline.error != nil || host.error != nil { fields.append(.error) }
        if host.packageCheck == .mismatch { fields.append(.packageChecksum) }
        return fields
    }

    /// Record keys that only a live scan can fill: compared only when both sides have them.
    static let liveOnlyKeys: Set<String> = ["active"]

    /// The keys whose values differ between two records of the same kind and name, in the baseline's key order.
    package static func differingFields(_ baseline: RecordEntry, _ host: RecordEntry) -> [ChangedField] {
        var keys: [ChangedField] = []
        for field in baseline.fields where host[field.key] != field.value {
            if liveOnlyKeys.contains(field.key) && host[field.key] == nil { continue }
            if RecordEntry.evidenceKeys.contains(field.key) { continue }
            keys.append(.record(field.key))
        }
        for field in host.fields where baseline[field.key] == nil && !liveOnlyKeys.contains(field.key) {
            if RecordEntry.evidenceKeys.contains(field.key) { continue }
            keys.append(.record(field.key))
        }
        return keys
    }

    private static func isBelow(_ path: [UInt8], _ directory: [UInt8]?) -> Bool {
        guard let directory else { return false }
        if directory == [UInt8(ascii: "/")] { return path != directory }
        return path.count > directory.count && path.starts(with: directory)
            && path[directory.count] == UInt8(ascii: "/")
    }

    private static func value(_ entry: ManifestEntry) -> DriftValue {
        switch entry {
        case .file(let file): .file(file)
        case .record(let record): .record(record)
        }
    }

    /// The item for an entry present on one side or both, or nil when nothing differs.
    static func item(baseline: ManifestEntry?, host: ManifestEntry?) -> DriftItem? {
        guard let any = host ?? baseline else { return nil }
        var change: ChangeKind = baseline == nil ? .added : host == nil ? .removed : .modified
        var fields: [ChangedField] = []
        switch (baseline, host) {
        case (.file(let old)?, .file(let new)?):
            fields = differingFields(old, new).map(ChangedField.file)
        case (.record(let old)?, .record(let new)?):
            fields = differingFields(old, new)
            if fields.contains(.record("version")), let direction = PackageVersions.direction(from: old, to: new) {
                change = direction
            }
        case (nil, .file(let new)?) where new.packageCheck == .mismatch:
            fields = [.file(.packageChecksum)]
        default:
            break
        }
        if change == .modified && fields.isEmpty { return nil }
        var item = DriftItem(
            kind: any.kind, name: any.name, change: change, fields: fields, severity: .info,
            baseline: baseline.map(value), host: host.map(value))
        SeverityRules.assess(&item)
        item.diff = diff(item)
        return item
    }

    /// The diff of a file item whose content changed, from the content the manifests kept.
    static func diff(_ item: DriftItem) -> UnifiedDiff? {
        let old = item.baselineFile.flatMap(ContentCapture.text)
        let new = item.hostFile.flatMap(ContentCapture.text)
        switch item.change {
        case .added: guard new != nil else { return nil }
        case .removed: guard old != nil else { return nil }
        default: guard item.fields.contains(.file(.content)), old != nil, new != nil else { return nil }
        }
        return UnifiedDiff.between(old, new, path: item.name)
    }

    /// One manifest being merged: its next line, undecoded until the merge needs it.
    private struct Side {
        let reader: ManifestReader
        var raw: [UInt8]? = nil
        var entry: ManifestEntry? = nil
        var done = false

        /// Makes sure the next line is at hand (raw or decoded).
        mutating func load() throws(DriftCheckError) {
            guard !done, raw == nil, entry == nil else { return }
            raw = try reader.nextRawLine()
            if raw == nil { done = true }
        }

        /// The next entry, decoding the line at hand; nil at the end.
        mutating func current() throws(DriftCheckError) -> ManifestEntry? {
            try load()
            if entry == nil, let line = raw {
                raw = nil
                entry = try reader.decode(line)
                if entry == nil { done = true }
            }
            return entry
        }

        mutating func consume() {
            entry = nil
        }
    }

    /// True when two raw lines agree in everything the comparer looks at (the part before mtime), so neither needs
    /// decoding: the common case of a host that did not change.
    private static func sameComparedPart(_ old: [UInt8], _ new: [UInt8]) -> Bool {
        // The compared part and the `,"mtime":"` marker after it, which must sit at the same offset in `new`.
        guard let end = ManifestEncoding.comparedPrefixEnd(old) else { return false }
        let length = end + ManifestEncoding.mtimeMarkerLength
        guard new.count >= length else { return false }
        return old.withUnsafeBytes { a in
            new.withUnsafeBytes { b in
                memcmp(a.baseAddress!, b.baseAddress!, length) == 0
            }
        }
    }

    /// Reads both manifests to the end and calls `report` with every difference, in canonical order.
    /// Evidence records (``LoginEvent``) are never compared: the host's go to `evidence`, the baseline's are
    /// passed over.
    package static func compare(
        baseline: ManifestReader, host: ManifestReader, evidence: (RecordEntry) -> Void = { _ in },
        report: (DriftItem) -> Void
    ) throws(DriftCheckError) -> CompareStatistics {
        var statistics = CompareStatistics()
        var old = Side(reader: baseline)
        var new = Side(reader: host)
        // A directory one side did not descend into (another filesystem): what the other side has below it is
        // not evidence of drift.
        var baselineUnscanned: [UInt8]? = nil
        var hostUnscanned: [UInt8]? = nil
        func isUnscanned(_ entry: ManifestEntry, below directory: [UInt8]?) -> Bool {
            guard case .file(let file) = entry else { return false }
            return isBelow(file.path, directory)
        }
        while true {
            try old.load()
            try new.load()
            if let a = old.raw, let b = new.raw, sameComparedPart(a, b) {
                baseline.skip(a)
                host.skip(b)
                old.raw = nil
                new.raw = nil
                statistics.baselineEntries += 1
                statistics.hostEntries += 1
                continue
            }
            let b = try old.current()
            let h = try new.current()
            if b == nil && h == nil { break }
            if case .record(let record)? = b, record.kind == LoginEvent.recordKind {
                statistics.baselineEntries += 1
                old.consume()
                continue
            }
            if case .record(let record)? = h, record.kind == LoginEvent.recordKind {
                statistics.hostEntries += 1
                evidence(record)
                new.consume()
                continue
            }
            let order: Int
            switch (b, h) {
            case (let b?, let h?): order = ManifestEntry.order(b, h)
            case (nil, _): order = 1
            case (_, nil): order = -1
            }
            if order < 0, let b {
                statistics.baselineEntries += 1
                if isUnscanned(b, below: hostUnscanned) {
                    statistics.notCompared += 1
                } else if let item = item(baseline: b, host: nil) {
                    report(item)
                }
                old.consume()
            } else if order > 0, let h {
                statistics.hostEntries += 1
                if isUnscanned(h, below: baselineUnscanned) {
                    statistics.notCompared += 1
                } else if let item = item(baseline: nil, host: h) {
                    report(item)
                }
                new.consume()
            } else if let b, let h {
                statistics.baselineEntries += 1
                statistics.hostEntries += 1
                if case .file(let bf) = b, case .file(let hf) = h {
                    if !isBelow(bf.path, baselineUnscanned) { baselineUnscanned = bf.unscanned != nil ? bf.path : nil }
                    if !isBelow(hf.path, hostUnscanned) { hostUnscanned = hf.unscanned != nil ? hf.path : nil }
                }
                if let item = item(baseline: b, host: h) { report(item) }
                old.consume()
                new.consume()
            }
        }
        return statistics
    }
}
