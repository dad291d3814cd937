/// Loaded kernel modules of the running system, from `/proc/modules`. Live-only, like ports: checked against an
/// allowlist rather than against the image.
///
/// Records: `{"kind":"module","name":"ext4"}`.
struct KernelModuleCollector: Collector {
    var name: String { "modules" }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        guard root.isLiveRoot, let proc = try? RootDirectory(path: "/proc"), let modules = proc.read("modules") else {
            return
        }
        for line in TextLines.lines(modules) {
            guard let name = TextLines.words(line).first else { continue }
            state.records.append(RecordEntry(kind: .module, name: String(name), fields: []))
        }
    }
}
