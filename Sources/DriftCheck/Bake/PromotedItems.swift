/// The report items behind a fleet's promote list: for each change the fleet promotes for an image, the item as
/// a host that made it signed it (every host's item has the same result: that is what makes them one change).
package enum PromotedItems {
    /// Reads the verified reports in `directory` again and keeps, once per promoted identity of `image`, the
    /// first item with that identity. Reports that do not verify, as `fleet` decides it, are passed over. A change
    /// seen only on hosts that are themselves under investigation (tampering elsewhere on them) is left out: on a
    /// host an intruder had, any change may be theirs. `leftOut` says which and why.
    package static func items(
        in directory: String, view: FleetView, image: String, settings: FleetSettings, leftOut: inout [String]
    ) throws(DriftCheckError) -> [JSONValue] {
        let suspect = Set(
            view.hosts.filter { $0.action == .investigate || $0.state == .incident || $0.state == .unverified }
                .map(\.name))
        var wanted: Set<String> = []
        for change in view.changes where change.image == image && change.verdict == .promote {
            if change.hosts.allSatisfy(suspect.contains) {
                leftOut.append("seen only on hosts under investigation, never baked: \(change.title)")
            } else {
                wanted.insert(change.identity)
            }
        }
        var found: [(item: JSONValue, change: HostChange)] = []
        var described: [[UInt8]: String] = [:]
        for path in try ReportFile.paths(in: directory) where !wanted.isEmpty {
            guard let report = ReportFile.verifiedDocument(path, settings: settings),
                report["image"]?.stringValue == image, case .array(let drift)? = report["drift"]
            else { continue }
            for item in drift {
                guard let change = HostChange(item: item, described: &described) else { continue }
                if wanted.remove(Hex.encode(change.identity)) != nil { found.append((item, change)) }
            }
        }
        // Two values promoted for one name (each on enough hosts): which one the image gets is a person's call.
        var slots: [HostChange.Slot: Int] = [:]
        for (_, change) in found { slots[change.slot, default: 0] += 1 }
        var kept: [JSONValue] = []
        for (item, change) in found {
            if slots[change.slot, default: 0] > 1 {
                leftOut.append("several values promoted for the same name, decide by hand: \(change.title)")
            } else {
                kept.append(item)
            }
        }
        return kept
    }
}
