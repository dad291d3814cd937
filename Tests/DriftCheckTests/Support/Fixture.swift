import Foundation
import Testing

@testable import DriftCheck

/// A key pair, an image tree and helpers to baseline, scan and compare it through the real CLI.
final class Fixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    var root: String { directory.url("image") }
    var key: String { directory.url("signing.key") }
    var pub: String { directory.url("signing.pub") }

    init() throws {
        directory = try TemporaryDirectory()
        let result = try CommandLineTool.driftcheck("keygen", "--out", directory.url("signing"))
        guard result.status == 0 else { throw FixtureError(message: "keygen failed: \(result.stderr)") }
        try directory.makeDirectory("image")
    }

    struct FixtureError: Error { let message: String }

    /// Makes a small but realistic image tree: /etc, /usr/bin with a binary, a symlink, /var/log.
    func populateImage() throws {
        try directory.write("image/etc/hostname", "web-01\n")
        try directory.write("image/etc/ssh/sshd_config", "PermitRootLogin no\nPasswordAuthentication no\n")
        try directory.write("image/usr/bin/tool", "#!/bin/sh\necho tool\n", mode: 0o755)
        try directory.write("image/usr/share/doc/readme", "docs\n")
        try directory.write("image/var/log/syslog", "boot\n")
        try directory.write("image/run/app.pid", "1\n")
        try directory.write("image/srv/app/config.yml", "port: 8080\n")
        symlink("tool", root + "/usr/bin/tool-link")
    }

    /// Scans `root` (default: the image tree) into `name` with the CLI; returns the manifest path.
    @discardableResult
    func scan(_ name: String, root: String? = nil, image: String = "test-image") throws -> String {
        let out = directory.url(name)
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", root ?? self.root, "--image", image, "--key", key, "--out", out, "--quiet")
        guard result.status == 0 else { throw FixtureError(message: "scan failed: \(result.stderr)") }
        return out
    }

    /// Compares with the CLI.
    func compare(_ baseline: String, _ host: String, _ extra: [String] = []) throws -> RunResult {
        try CommandLineTool.run(
            CommandLineTool.driftcheck, ["compare", "--baseline", baseline, "--host", host, "--pubkey", pub] + extra)
    }

    /// Checks an output file with an independent parser (see Fixtures/tools/validate.py).
    static func validate(_ kind: String, _ file: String) throws -> RunResult {
        let schema = FixtureFiles.directory + "/../../../schemas/driftcheck-report-1.schema.json"
        return try CommandLineTool.run(
            "/usr/bin/env",
            ["python3", FixtureFiles.path("tools/validate.py"), kind, file] + (kind == "report" ? [schema] : []))
    }

    /// Compares and decodes the JSON report, which must validate against the published JSON Schema.
    func jsonReport(_ baseline: String, _ host: String) throws -> (status: Int32, report: JSONValue) {
        let result = try compare(baseline, host, ["--format", "json"])
        let file = directory.url("report-\(UInt32.random(in: 0...UInt32.max)).json")
        try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: file))
        let validation = try Fixture.validate("report", file)
        #expect(validation.status == 0, "the report must validate against the JSON Schema: \(validation.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8.dropLast()))
        return (result.status, report)
    }

    /// The drift items of a JSON report.
    static func items(_ report: JSONValue) -> [JSONValue] {
        guard case .array(let items)? = report["drift"] else { return [] }
        return items
    }

    /// The item for `name`, if any.
    static func item(_ report: JSONValue, named name: String) -> JSONValue? {
        items(report).first { $0["name"]?.stringValue == name }
    }

    static func fields(_ item: JSONValue?) -> [String] {
        guard case .array(let fields)? = item?["fields"] else { return [] }
        return fields.compactMap(\.stringValue)
    }

    /// Reads every file entry of a manifest through the library's verified reader.
    func entries(_ manifest: String) throws -> [FileEntry] {
        try allEntries(manifest).compactMap { entry in
            if case .file(let file) = entry { return file }
            return nil
        }
    }

    /// Reads every entry (files and records) of a manifest through the library's verified reader.
    func allEntries(_ manifest: String, key: String? = nil) throws -> [ManifestEntry] {
        let reader = try ManifestReader.open(manifest, trustedKeys: [try KeyFiles.loadPublicKey(key ?? pub)])
        var entries: [ManifestEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        return entries
    }
}
