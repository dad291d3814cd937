/// SysV init scripts and their `rc?.d` links, for images without systemd (when `lib/systemd/systemd` and
/// `usr/lib/systemd/systemd` are both absent; on systemd hosts the init scripts are compatibility shims of units).
///
/// Records: `{"kind":"service","name":"ssh","manager":"sysv","enabled":"enabled","script":"<sha256>",`
/// `"links":["rc2.d/S01ssh", …]}`.
struct SysVInitCollector: Collector {
    var name: String { "sysv" }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        if root.status("lib/systemd/systemd") != nil || root.status("usr/lib/systemd/systemd") != nil { return }
        let scripts = (root.list("etc/init.d") ?? []).filter {
            !$0.hasPrefix(".") && $0 != "README" && $0 != "skeleton"
        }
        var links: [String: [String]] = [:]
        for level in ["0", "1", "2", "3", "4", "5", "6", "S"] {
            let directory = "etc/rc\(level).d"
            for link in root.list(directory) ?? [] where link.first == "S" || link.first == "K" {
                guard let target = root.linkTarget("\(directory)/\(link)") else { continue }
                let script = target.split(separator: "/").last.map(String.init) ?? target
                links[script, default: []].append("rc\(level).d/\(link)")
            }
        }
        for script in Set(scripts).union(links.keys).sorted() {
            let runlevelLinks = (links[script] ?? []).sorted()
            let enabled = runlevelLinks.contains { link in
                ["rc2.d/S", "rc3.d/S", "rc4.d/S", "rc5.d/S", "rcS.d/S"].contains { link.hasPrefix($0) }
            }
            state.records.append(
                RecordEntry(
                    kind: .service, name: script,
                    fields: [
                        RecordField("manager", .text("sysv")),
                        RecordField("enabled", .text(enabled ? "enabled" : "disabled")),
                        RecordField("script", .text(root.digest("etc/init.d/\(script)") ?? "none")),
                        RecordField("links", .list(runlevelLinks)),
                    ]))
        }
    }
}
