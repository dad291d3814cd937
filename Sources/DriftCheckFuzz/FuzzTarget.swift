// Fuzzing needs the library's internals (`@testable import`), which only debug builds expose.
#if DEBUG
    @testable import DriftCheck

    import Glibc

    /// The parsers of untrusted input that driftcheck fuzzes. Each target feeds one input to the real code and traps
    /// (so that libFuzzer records a crash) when a property that must hold does not: a crash, a hang or a failed check.
    enum FuzzTarget: String, CaseIterable {
        /// Manifest lines through the strict JSON decoder and the comparer's fast decoder (which must agree), a round
        /// trip through the encoder, and whole signed manifests through the reader and the comparer.
        case manifest
        /// PEM private and public keys, signatures.
        case keys
        /// Policy YAML (must read back from `policy show` to the same digest) and the live allowlist.
        case policy
        /// rpm header blobs as rpmdb.sqlite stores them.
        case rpm
        /// /proc/net/{tcp,udp}[6] lines and /proc/modules lines.
        case procfs
        /// A root holding var/lib/dpkg/status, info/*.list, *.md5sums and maintainer scripts, and var/log/dpkg.log,
        /// read by the dpkg collector; the bytes also go straight to the dpkg.log and maintainer-script readers.
        case dpkg
        /// A root holding lib/apk/db/installed.
        case apk
        /// A root holding etc/passwd, group, shadow.
        case accounts
        /// A root holding crontabs.
        case cron
        /// A root holding systemd unit directories and SysV init scripts, plus `systemctl list-units` output.
        case services
        /// A JSON report as `driftcheck fleet` reads it (reports are not signed), rendered as text, JSON and HTML.
        case fleet
        /// A container image file (tar, gzip) as `baseline --image-tar` reads it.
        case tar

        static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition {
                say("fuzz property failed: \(message())\n")
                abort()
            }
        }
    }

    /// The state one fuzzing process keeps between inputs.
    final class Fuzzer {
        let target: FuzzTarget
        let root = FuzzRoot()
        let key: Ed25519Key
        let baselinePath: String

        init(target: FuzzTarget) {
            self.target = target
            do {
                key = try Ed25519Key.generate()
            } catch {
                fatalError("cannot make a key: \(error)")
            }
            baselinePath = root.path + ".baseline.jsonl"
            sign(Array(Self.baseline.utf8), to: baselinePath)
        }

        /// A small well-formed baseline the fuzzed host manifests are compared with.
        static let baseline = """
            {"format":"driftcheck-manifest/1","image":"img-1","host":"build","time":"2026-11-22T00:00:00Z",\
            "tool":"driftcheck","root":"/","collectors":["files","dpkg"],"cross_mounts":false,"live":false,\
            "policy":"0","started":"1.0","incremental":false,"found":{"dpkg":1}}
            {"kind":"file","path":"/etc","type":"dir","mode":"0755","uid":0,"gid":0,"size":4096,"mtime":"1.0",\
            "ctime":"1.0","dev":1,"ino":2,"nlink":2}
            {"kind":"file","path":"/etc/passwd","type":"file","mode":"0644","uid":0,"gid":0,"size":1,\
            "sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","pkg":"base-files",\
            "mtime":"1.0","ctime":"1.0","dev":1,"ino":3,"nlink":1}
            {"kind":"package","name":"base-files","manager":"dpkg","version":"12.4","arch":"amd64","status":"installed"}
            {"end":"driftcheck-manifest","entries":3,"errors":0,"reused":0}

            """

        func sign(_ bytes: [UInt8], to path: String) {
            Self.write(bytes, to: path)
            guard let signature = try? bytes.withUnsafeBytes({ raw in try key.sign(raw) }) else {
                fatalError("the fuzzer's own key cannot sign")
            }
            Self.write(signature, to: path + ".sig")
        }

        /// Replaces the file at `path` (in the fuzzer's own scratch space) with `bytes`.
        static func write(_ bytes: [UInt8], to path: String) {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
        }

        func run(_ data: [UInt8]) {
            switch target {
            case .manifest: manifest(data)
            case .keys: keys(data)
            case .policy: policy(data)
            case .rpm: _ = RpmHeaderParser.parse(data)
            case .procfs: procfs(data)
            case .dpkg:
                _ = DpkgStatusParser.parse(data)
                var windows: [String: DpkgLog.Window] = [:]
                DpkgLog.parse(data, into: &windows)
                _ = MaintainerScripts.accounts(namedIn: data, among: ["tcpdump", "_chrony", "sshd"])
                _ = MaintainerScripts.paths(namedIn: data)
                _ = MaintainerScripts.accounts(declaredIn: data)
                collect(data, [DpkgCollector()])
            case .apk:
                _ = ApkInstalledParser.parse(data)
                collect(data, [ApkCollector()])
            case .accounts: collect(data, [AccountCollector()])
            case .cron: collect(data, [CronCollector()])
            case .services:
                _ = SystemdCollector.parseListUnits(data)
                collect(data, [SystemdCollector(), SysVInitCollector()])
                _ = try? ImageStamp.read(root: root.path)
            case .fleet: fleet(data)
            case .tar:
                let path = root.path + ".image.tar"
                Self.write(data, to: path)
                if let tree = try? ImageArchive.read(path, keepContent: { path, _ in ImageScan.collectorsRead(path) }) {
                    _ = tree.entries()
                }
            }
        }

        private func collect(_ data: [UInt8], _ collectors: [any Collector]) {
            root.populate(data)
            guard let directory = try? RootDirectory(path: root.path) else { return }
            let state = Collectors.run(collectors, root: directory, loadDigests: true)
            for record in state.records {
                var json = JSONBuilder()
                ManifestEncoding.encode(record, into: &json)
            }
        }

        private func manifest(_ data: [UInt8]) {
            for line in data.split(separator: 0x0A) {
                let line = Array(line)
                _ = ManifestEncoding.comparedPrefixEnd(line)
                let fast = FileLineDecoder.decode(line)
                guard let object = try? JSONParser.parse(line) else {
                    FuzzTarget.check(fast == nil, "the fast decoder accepted a line that is not JSON")
                    continue
                }
                _ = try? ManifestEncoding.decodeHeader(object)
                _ = try? ManifestEncoding.decodeTrailer(object)
                let strict = try? ManifestEncoding.decodeEntry(object)
                if let fast {
                    FuzzTarget.check(strict == .file(fast), "the fast and strict decoders disagree")
                }
                if let strict {
                    var json = JSONBuilder()
                    ManifestEncoding.encode(strict, into: &json)
                    let again = try? ManifestEncoding.decodeEntry(JSONParser.parse(json.bytes))
                    FuzzTarget.check(again == strict, "an entry does not survive encode and decode")
                }
            }
            // The whole input as a signed host manifest: the reader, then the comparer against the baseline.
            let hostPath = root.path + ".host.jsonl"
            sign(data, to: hostPath)
            if let reader = try? ManifestReader.open(hostPath, trustedKeys: [key]) {
                while (try? reader.next()).flatMap({ $0 }) != nil {}
            }
            if let host = try? ManifestReader.open(hostPath, trustedKeys: [key]),
                let baseline = try? ManifestReader.open(baselinePath, trustedKeys: [key]),
                let report = try? Comparison.judge(baseline: baseline, host: host, generated: "now", tool: "fuzz")
            {
                _ = JSONReportRenderer.render(report)
                _ = TextReportRenderer().render(report)
            }
        }

        private func fleet(_ data: [UInt8]) {
            let path = root.path + ".report.json"
            // Signed, so that the bytes reach the report reader past the signature check, as a host's would.
            sign(data, to: path)
            var settings = FleetSettings(now: 1_800_000_000)
            settings.trustedKeys = [key]
            var described: [[UInt8]: String] = [:]
            let outcome = ReportFile.read(path, settings: settings, described: &described)
            let view = FleetView.judge([outcome, outcome], settings: settings)
            _ = FleetTextRenderer.render(view)
            _ = FleetJSONRenderer.render(view)
            _ = FleetHTMLRenderer.render(view)
        }

        private func keys(_ data: [UInt8]) {
            if let key = try? Ed25519Key.privateKey(pem: data) {
                let message: [UInt8] = Array("driftcheck".utf8)
                let signature = message.withUnsafeBytes { try? key.sign($0) }
                FuzzTarget.check(
                    signature.map { signature in message.withUnsafeBytes { key.verify(signature, of: $0) } } == true,
                    "a loaded private key cannot sign and verify")
            }
            if let key = try? Ed25519Key.publicKey(pem: data) {
                _ = key.keyID
                let signature = Array(data.prefix(64))
                _ = data.withUnsafeBytes { key.verify(signature, of: $0) }
            }
        }

        private func policy(_ data: [UInt8]) {
            _ = try? LiveAllowlist(contents: data, path: "fuzz.allow")
            guard let (policy, _) = try? PolicyParser.parse(String(decoding: data, as: UTF8.self), path: "fuzz.yaml")
            else { return }
            let shown = PolicyRenderer.yaml(policy)
            let reread = try? PolicyParser.parse(shown, path: "shown.yaml")
            FuzzTarget.check(reread != nil, "policy show output does not parse:\n\(shown)")
            if let reread {
                FuzzTarget.check(
                    PolicyRenderer.digest(reread.policy) == PolicyRenderer.digest(policy),
                    "policy show output reads back to another digest:\n\(shown)")
            }
        }

        private func procfs(_ data: [UInt8]) {
            for line in TextLines.lines(data) {
                for name in ["tcp", "tcp6", "udp", "udp6"] { _ = ListeningPortCollector.parse(line, protocol: name) }
                _ = TextLines.words(line).first
            }
        }
    }
#endif
