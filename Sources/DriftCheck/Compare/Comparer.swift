/// Counts of what a comparison looked at.
package struct CompareStatistics: Sendable {
    package var baselineEntries = 0
    package var hostEntries = 0
    /// Entries below a directory that one side did not scan (another filesystem): not compared.
    package var notCompared = 0
}

/// Compares two manifests as a streaming merge-join: both are in canonical order, so one pass with one entry of
/// each in hand finds every added, removed and modified object in constant memory.
package enum Comparer {
    /// The attributes that differ between two entries for the same path, in the report's vocabulary.
    package static func differingFields(_ baseline: FileEntry, _ host: FileEntry) -> [DriftField] {
        var fields: [DriftField] = []
        if baseline.type != host.type {
            fields.append(.type)
        } else {
            if baseline.type == .file {
                if let old = baseline.sha256, let new = host.sha256, old != new { fields.append(.content) }
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
        return fields
    }

    private static func isBelow(_ path: [UInt8], _ directory: [UInt8]?) -> Bool {
        guard let directory else { return false }
        if directory == [UInt8(ascii: "/")] { return path != directory }
        return path.count > directory.count && path.starts(with: directory)
            && path[directory.count] == UInt8(ascii: "/")
    }

    /// Reads both manifests to the end and calls `report` with every difference, in canonical order.
    package static func compare(
        baseline: ManifestReader, host: ManifestReader, report: (DriftItem) -> Void
    ) throws(DriftCheckError) -> CompareStatistics {
        var statistics = CompareStatistics()
        var old = try baseline.next()
        var new = try host.next()
        // A directory one side did not descend into (another filesystem): what the other side has below it is
        // not evidence of drift.
        var baselineUnscanned: [UInt8]? = nil
        var hostUnscanned: [UInt8]? = nil
        func item(_ change: ChangeKind, _ path: [UInt8], _ fields: [DriftField], _ b: FileEntry?, _ h: FileEntry?) {
            report(
                DriftItem(
                    kind: "file", name: path, change: change, fields: fields,
                    severity: SeverityRules.severity(change: change, path: path, baseline: b, host: h),
                    baseline: b.map(DriftValue.file), host: h.map(DriftValue.file)))
        }
        while old != nil || new != nil {
            let order: Int
            switch (old, new) {
            case (let b?, let h?): order = CanonicalOrder.compare(b.path, h.path)
            case (nil, _): order = 1
            case (_, nil): order = -1
            }
            if order < 0, let b = old {
                statistics.baselineEntries += 1
                if isBelow(b.path, hostUnscanned) {
                    statistics.notCompared += 1
                } else {
                    item(.removed, b.path, [], b, nil)
                }
                old = try baseline.next()
            } else if order > 0, let h = new {
                statistics.hostEntries += 1
                if isBelow(h.path, baselineUnscanned) {
                    statistics.notCompared += 1
                } else {
                    item(.added, h.path, [], nil, h)
                }
                new = try host.next()
            } else if let b = old, let h = new {
                statistics.baselineEntries += 1
                statistics.hostEntries += 1
                if !isBelow(b.path, baselineUnscanned) { baselineUnscanned = b.unscanned != nil ? b.path : nil }
                if !isBelow(h.path, hostUnscanned) { hostUnscanned = h.unscanned != nil ? h.path : nil }
                let fields = differingFields(b, h)
                if !fields.isEmpty { item(.modified, b.path, fields, b, h) }
                old = try baseline.next()
                new = try host.next()
            }
        }
        return statistics
    }
}
