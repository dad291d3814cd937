import Glibc

/// Writes a ``BakePlan`` as a directory an image build applies in one step: `apply.sh` (POSIX sh, run as root in
/// the image: accounts, packages, files, services, in that order), `files/` (the content of the files it writes),
/// `packages.txt` (the package list in the package manager's syntax), `by-hand.txt` and a `README.md` saying what
/// it holds and what was left out. Written under a temporary name beside the destination and renamed into place:
/// no half-written bake directory is ever seen; an existing destination is refused.
package enum BakeDirectory {
    package static func write(_ plan: BakePlan, to path: String, source: String) throws(DriftCheckError) {
        if case .success = SystemCalls.status(atPath: path) {
            throw DriftCheckError(.usage, path: path, "already exists; bake writes a new directory")
        }
        // mkdtemp: a fresh 0700 directory no one else can write into while it is filled.
        var template = Array("\(path).tmp-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw DriftCheckError(
                .io, path: path, "cannot create a temporary directory beside it: \(Errno(rawValue: errno))")
        }
        let temporary = String(cString: template)
        chmod(temporary, 0o755)
        do throws(DriftCheckError) {
            try writeContents(plan, into: temporary, source: source)
            guard Glibc.rename(temporary, path) == 0 else {
                throw DriftCheckError(.io, path: path, "cannot rename into place: \(Errno(rawValue: errno))")
            }
        } catch {
            removeTree(temporary)
            throw error
        }
    }

    private static func writeContents(_ plan: BakePlan, into directory: String, source: String)
        throws(DriftCheckError)
    {
        for step in plan.files {
            guard case .write(let content) = step.action else { continue }
            let target = "\(directory)/files\(step.path)"
            try makeParents(of: target, below: directory)
            try AtomicFile.write(content, to: target, mode: 0o644)
        }
        try AtomicFile.write(Array(script(plan, source: source).utf8), to: "\(directory)/apply.sh", mode: 0o755)
        try AtomicFile.write(Array(packageList(plan).utf8), to: "\(directory)/packages.txt", mode: 0o644)
        let byHand = plan.byHand.map { "\($0.path)\t\($0.why)\n" }.joined()
        try AtomicFile.write(Array(byHand.utf8), to: "\(directory)/by-hand.txt", mode: 0o644)
        try AtomicFile.write(Array(readme(plan, source: source).utf8), to: "\(directory)/README.md", mode: 0o644)
    }

    /// `'text'`; the plan admits only text without single quotes (``BakePlan/isPlainText(_:)``).
    static func quote(_ text: String) -> String { "'\(text)'" }

    /// The package list, one per line, as the package manager's install command takes it; removals as `-NAME`.
    static func packageList(_ plan: BakePlan) -> String {
        plan.install.map { "\(pinned($0, manager: plan.manager))\n" }.joined()
            + (plan.remove + plan.deinstall).map { "-\($0)\n" }.joined()
    }

    static func pinned(_ step: BakePlan.PackageStep, manager: String?) -> String {
        switch manager {
        case "rpm": "\(step.name)-\(step.version)"
        default: "\(step.name)=\(step.version)"
        }
    }

    static func script(_ plan: BakePlan, source: String) -> String {
        var lines = [
            "#!/bin/sh",
            "# Written by driftcheck bake from \(TerminalText.clean(source)).",
            "# Applies the promoted changes to an image: run it as root inside the image build (Packer's shell",
            "# provisioner, or chroot IMAGE_ROOT /bin/sh /PATH/TO/THIS/apply.sh). Read README.md first.",
            "set -eu",
            "here=$(cd \"$(dirname \"$0\")\" && pwd)",
            "# no_link PATH: stop when a directory above PATH is a symbolic link (a write would land elsewhere), but for",
            "# the merged-/usr links (/bin -> usr/bin …).",
            "no_link() {",
            "    p=$(dirname \"$1\")",
            "    while [ \"$p\" != / ]; do",
            "        if [ -L \"$p\" ] && [ \"$(readlink \"$p\")\" != \"usr$p\" ]; then",
            "            echo \"driftcheck bake: $p is a symbolic link; not writing $1\" >&2",
            "            exit 1",
            "        fi",
            "        p=$(dirname \"$p\")",
            "    done",
            "}",
            "",
        ]
        if !plan.groups.isEmpty || !plan.users.isEmpty {
            lines.append("# Accounts (locked: password hashes never leave a host).")
            for group in plan.groups {
                lines.append(
                    "getent group \(quote(group.name)) >/dev/null || groupadd -g \(group.gid) \(quote(group.name))")
            }
            for user in plan.users {
                let options = "-u \(user.uid) -g \(user.gid) -d \(quote(user.home)) -s \(quote(user.shell))"
                if user.modify {
                    lines.append("usermod \(options) \(quote(user.name))")
                } else {
                    let home = user.createHome ? "-m" : "-M"
                    lines.append(
                        "id -u \(quote(user.name)) >/dev/null 2>&1 || useradd \(options) \(home) \(quote(user.name))")
                }
            }
            for group in plan.groups {
                for member in group.members {
                    lines.append("usermod -a -G \(quote(group.name)) \(quote(member))")
                }
            }
            lines.append("")
        }
        if !plan.install.isEmpty || !plan.remove.isEmpty || !plan.deinstall.isEmpty {
            lines.append("# Packages, pinned to the versions the hosts run.")
            let installs = plan.install.map { quote(pinned($0, manager: plan.manager)) }.joined(separator: " ")
            let removals = plan.remove.map(quote).joined(separator: " ")
            let deinstalls = plan.deinstall.map(quote).joined(separator: " ")
            switch plan.manager {
            case "rpm":
                if !installs.isEmpty { lines.append("dnf install -y ${DRIFTCHECK_DNF_OPTIONS:-} \(installs)") }
                if !removals.isEmpty { lines.append("dnf remove -y \(removals)") }
            case "apk":
                if !installs.isEmpty { lines.append("apk add ${DRIFTCHECK_APK_OPTIONS:-} \(installs)") }
                if !removals.isEmpty { lines.append("apk del \(removals)") }
            default:
                lines.append("export DEBIAN_FRONTEND=noninteractive")
                if !installs.isEmpty {
                    lines.append(
                        "apt-get install -y --no-install-recommends ${DRIFTCHECK_APT_OPTIONS:-} \(installs)")
                    let automatic = plan.install.filter(\.automatic).map { quote($0.name) }
                    if !automatic.isEmpty {
                        lines.append("# Installed as dependencies on the hosts: marked so here too.")
                        lines.append("apt-mark auto \(automatic.joined(separator: " ")) >/dev/null")
                    }
                }
                if !removals.isEmpty { lines.append("apt-get purge -y \(removals)") }
                if !deinstalls.isEmpty { lines.append("apt-get remove -y \(deinstalls)") }
            }
            lines.append("")
        }
        if !plan.files.isEmpty {
            lines.append("# Files: content from files/, with the hosts' owner and mode.")
            for step in plan.files {
                let path = quote(step.path)
                lines.append("no_link \(path)")
                switch step.action {
                case .write:
                    lines.append("mkdir -p \"$(dirname \(path))\"")
                    lines.append(
                        "install -m \(step.modeText) -o \(step.uid) -g \(step.gid) \"$here/files\"\(path) \(path)")
                case .link(let target):
                    lines.append("mkdir -p \"$(dirname \(path))\"")
                    // A directory in the image where the hosts have a link: removed when empty, else a loud stop.
                    lines.append("if [ -d \(path) ] && [ ! -L \(path) ]; then rmdir \(path); fi")
                    lines.append("ln -sfn \(quote(target)) \(path)")
                    lines.append("chown -h \(step.uid):\(step.gid) \(path)")
                case .directory:
                    lines.append("install -d -m \(step.modeText) -o \(step.uid) -g \(step.gid) \(path)")
                case .attributes:
                    lines.append("chown \(step.uid):\(step.gid) \(path)")
                    lines.append("chmod \(step.modeText) \(path)")
                case .remove:
                    lines.append("rm -f \(path) 2>/dev/null || rmdir \(path)")
                }
            }
            lines.append("")
        }
        if !plan.services.isEmpty {
            lines.append("# Services.")
            for step in plan.services { lines.append("systemctl \(step.verb) \(quote(step.name))") }
            lines.append("")
        }
        if !plan.byHand.isEmpty {
            lines.append("echo \"driftcheck bake: \(plan.byHand.count) files to copy by hand: see by-hand.txt\" >&2")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func readme(_ plan: BakePlan, source: String) -> String {
        var text = """
            # driftcheck bake

            Made from \(TerminalText.clean(source)): the changes to bake into the next image, so that hosts \
            rebuilt from it no longer drift.

            Apply it in the image build, as root, in one step: `sh apply.sh` (see the Packer example in \
            driftcheck's docs/bake.md). Then make the new image's baseline.

            """
        func section(_ title: String, _ items: [String]) {
            text += "\n## \(title)\n\n"
            text += items.isEmpty ? "None.\n" : items.map { "- \($0)\n" }.joined()
        }
        section(
            "Packages (\(plan.manager ?? "dpkg"))",
            plan.install.map { pinned($0, manager: plan.manager) + ($0.automatic ? " (as a dependency)" : "") }
                + plan.remove.map { "remove \($0)" }
                + plan.deinstall.map { "remove \($0), keeping its configuration files" })
        section(
            "Accounts",
            plan.groups.map { "group \($0.name) (gid \($0.gid))" }
                + plan.users.map {
                    "user \($0.name) (uid \($0.uid), gid \($0.gid), home \($0.home), shell \($0.shell); locked)"
                })
        section(
            "Files",
            plan.files.map { step in
                switch step.action {
                case .write(let content):
                    "\(step.path): \(content.count) bytes, mode \(step.modeText), owner \(step.uid):\(step.gid)"
                case .link(let target): "\(step.path) → \(target)"
                case .directory: "\(step.path)/ (directory, mode \(step.modeText))"
                case .attributes: "\(step.path): owner \(step.uid):\(step.gid), mode \(step.modeText)"
                case .remove: "\(step.path): removed"
                }
            })
        section("Services", plan.services.map { "\($0.verb) \($0.name)" })
        section("To copy by hand (by-hand.txt)", plan.byHand.map { "\($0.path): \($0.why)" })
        section("Left out", plan.leftOut)
        return text
    }

    static func makeParents(of path: String, below top: String) throws(DriftCheckError) {
        var current = top
        let relative = path.dropFirst(top.count + 1).split(separator: "/").dropLast()
        for component in relative {
            current += "/\(component)"
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw DriftCheckError(.io, path: current, "cannot create: \(Errno(rawValue: errno))")
            }
        }
    }

    static func removeTree(_ path: String) {
        guard case .success(let status) = SystemCalls.status(atPath: path) else { return }
        if status.type == .dir, case .success(let names) = SystemCalls.directoryNames(atPath: path) {
            for name in names { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
