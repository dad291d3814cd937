/// The report items behind a fleet's promote list: for each change the fleet promotes for an image, the item as
/// a host that made it signed it (every host's item has the same result: that is what makes them one change).
package enum PromotedItems {
    /// Reads the verified reports in `directory` again and keeps, once per promoted identity of `image`, the
    /// first item with that identity. Reports that do not verify, as `fleet` decides it, are passed over.
    package static func items(in directory: String, view: FleetView, image: String, settings: FleetSettings)
        throws(DriftCheckError) -> [JSONValue]
    {
        var wanted = Set(
            view.changes.filter { $0.image == image && $0.verdict == .promote }.map(\.identity))
        var items: [JSONValue] = []
        var described: [[UInt8]: String] = [:]
        for path in try ReportFile.paths(in: directory) where !wanted.isEmpty {
            guard let report = ReportFile.verifiedDocument(path, settings: settings),
                report["image"]?.stringValue == image, case .array(let drift)? = report["drift"]
            else { continue }
            for item in drift {
                guard let change = HostChange(item: item, described: &described) else { continue }
                if wanted.remove(Hex.encode(change.identity)) != nil { items.append(item) }
            }
        }
        return items
    }
}
