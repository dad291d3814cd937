import Foundation
import Testing

@testable import DriftCheck

@Suite("Incremental scan")
struct IncrementalScanTests {
    private func entryLines(_ manifest: String) throws -> [Substring] {
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        return Array(text.split(separator: "\n").dropFirst().dropLast())
    }

    private func trailer(_ manifest: String) throws -> JSONValue {
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        return try JSONParser.parse(Array(text.split(separator: "\n").last.map { Array($0.utf8) } ?? []))
    }

    private func makeTree(_ fixture: Fixture) throws {
        for index in 1...6 { try fixture.directory.write("image/data/file\(index)", "content number \(index)\n") }
        try fixture.directory.write("image/data/copy-source", "CONTENT NUMBER 3\n")
    }

    @Test("an unchanged tree rescans to byte-identical entries, reusing every hash")
    func unchangedTreeIsIdentical() throws {
        let fixture = try Fixture()
        try makeTree(fixture)
        usleep(1_200_000)  // older than the racy window
        let full = try fixture.scan("full.jsonl")
        let incremental = fixture.directory.url("incremental.jsonl")
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--image", "test-image", "--key", fixture.key, "--out", incremental,
            "--reuse", full)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try entryLines(full) == entryLines(incremental))
        #expect(try trailer(incremental)["reused"] == .integer(7))
        #expect(result.stderr.contains("7 hashes reused"))
    }

    @Test("touch -r after a content change, a same-size rewrite, an inode swap and a chmod are all caught")
    func changesAreCaught() throws {
        let fixture = try Fixture()
        try makeTree(fixture)
        usleep(1_200_000)
        let before = try fixture.scan("before.jsonl")
        let data = fixture.root + "/data"
        let script = """
            set -e
            cd '\(data)'
            cp -p file1 stamp; printf 'CONTENT NUMBER 1\\n' > file1; touch -r stamp file1; rm stamp
            printf 'CONTENT NUMBER 2\\n' > file2
            touch -r file3 copy-source; mv copy-source file3
            chmod 600 file4
            """
        #expect(try CommandLineTool.shell(script).status == 0)
        usleep(1_200_000)
        let incremental = fixture.directory.url("after-incremental.jsonl")
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--image", "test-image", "--key", fixture.key, "--out", incremental,
            "--reuse", before)
        #expect(result.status == 0)
        let full = try fixture.scan("after-full.jsonl")
        #expect(try entryLines(incremental) == entryLines(full), "incremental and full scans agree exactly")
        let (_, report) = try fixture.jsonReport(before, incremental)
        let changed = Fixture.items(report).compactMap { $0["name"]?.stringValue }.filter { $0.hasPrefix("/data/") }
        #expect(changed == ["/data/copy-source", "/data/file1", "/data/file2", "/data/file3", "/data/file4"])
        #expect(Fixture.fields(Fixture.item(report, named: "/data/file1")) == ["content"])
        #expect(Fixture.fields(Fixture.item(report, named: "/data/file2")) == ["content"])
        #expect(Fixture.fields(Fixture.item(report, named: "/data/file3")) == ["content"])
        #expect(Fixture.fields(Fixture.item(report, named: "/data/file4")) == ["mode"])
    }

    /// Writes a manifest of `root` whose header claims the scan started at `started`, to steer the racy cutoff.
    private func manifest(of root: String, started: Timestamp, fixture: Fixture, name: String) throws -> String {
        let path = fixture.directory.url(name)
        var header = ManifestHeader(
            image: nil, host: "h", time: HostInfo.now, tool: "test", root: root, collectors: ["files"],
            crossMounts: false)
        header.started = started
        let writer = try ManifestWriter(path: path, header: header)
        _ = try FileScanner.scan(FileScanner.Options(root: root)) { entry throws(DriftCheckError) in
            try writer.append(.file(entry))
        }
        try writer.finish(signingWith: try KeyFiles.loadPrivateKey(fixture.key))
        return path
    }

    private func rescan(_ root: String, previous: String, fixture: Fixture) throws -> (
        entries: [FileEntry], reused: Int
    ) {
        var options = FileScanner.Options(root: root)
        let reused = PreviousManifest(path: previous, trustedKeys: [try KeyFiles.loadPublicKey(fixture.pub)])
        defer { reused.stop() }
        try reused.waitUntilOpen()
        options.previous = reused
        var entries: [FileEntry] = []
        let statistics = try FileScanner.scan(options) { entry throws(DriftCheckError) in entries.append(entry) }
        try reused.finish()
        return (entries, statistics.reused)
    }

    @Test("reuse requires device, inode, size, mtime and ctime to match, even outside the racy window")
    func statMustMatch() throws {
        let fixture = try Fixture()
        try makeTree(fixture)
        let future = Timestamp(seconds: Timestamp.now.seconds + 86_400, nanoseconds: 0)
        let previous = try manifest(of: fixture.root, started: future, fixture: fixture, name: "future.jsonl")
        #expect(try rescan(fixture.root, previous: previous, fixture: fixture).reused == 7)
        #expect(
            try CommandLineTool.shell(
                "cd '\(fixture.root)/data' && cp -p file1 s && printf 'CONTENT NUMBER 1\\n' > file1"
                    + " && touch -r s file1 && rm s"
            ).status == 0)
        let (entries, reused) = try rescan(fixture.root, previous: previous, fixture: fixture)
        #expect(reused == 6, "the rewritten file's ctime moved: it is hashed again")
        let rewritten = entries.first { $0.path == Array("/data/file1".utf8) }
        #expect(rewritten?.sha256 == Array("CONTENT NUMBER 1\n".utf8).withUnsafeBytes { SHA256Hasher.digest($0) })
    }

    @Test("files changed within a second of the previous scan's start are racy and always rehashed")
    func racyEntriesAreRehashed() throws {
        let fixture = try Fixture()
        try makeTree(fixture)
        let previous = try manifest(of: fixture.root, started: Timestamp.now, fixture: fixture, name: "racy.jsonl")
        #expect(try rescan(fixture.root, previous: previous, fixture: fixture).reused == 0)
    }

    @Test("a previous manifest signed by another key is refused, never trusted for hashes")
    func foreignManifestIsRefused() throws {
        let fixture = try Fixture()
        try makeTree(fixture)
        let other = try Fixture()
        let foreign = other.directory.url("foreign.jsonl")
        #expect(
            try CommandLineTool.driftcheck("scan", "--root", fixture.root, "--key", other.key, "--out", foreign, "-q")
                .status == 0)
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", fixture.directory.url("x.jsonl"), "--reuse",
            foreign)
        #expect(result.status == 3)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.url("x.jsonl")))
    }

    /// The tree, baselined as image web-1 into `baselines/`, for `check`.
    private func makeTreeAndBaseline(_ fixture: Fixture) throws {
        try makeTree(fixture)
        try fixture.directory.makeDirectory("baselines")
        #expect(
            try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", "web-1", "--key", fixture.key, "--out",
                fixture.directory.url("baselines/web-1.jsonl"), "-q"
            ).status == 0)
    }

    @Test("check reuses its previous manifest and rehashes everything after the policy's number of runs")
    func checkReusesAndPeriodicallyRehashes() throws {
        let fixture = try Fixture()
        try makeTreeAndBaseline(fixture)
        let policy = try fixture.directory.write("policy.yaml", "full_rehash:\n  every_runs: 3\n")
        let reports = fixture.directory.url("reports")
        var reused: [Int64] = []
        for _ in 0..<4 {
            usleep(1_200_000)
            let result = try CommandLineTool.run(
                CommandLineTool.driftcheck,
                [
                    "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines",
                    fixture.directory.url("baselines"), "--reports", reports, "--policy", policy,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let newest = try #require(
                try FileManager.default.contentsOfDirectory(atPath: reports).filter { $0.hasSuffix(".manifest.jsonl") }
                    .sorted().last)
            reused.append(try trailer(reports + "/" + newest)["reused"]?.integerValue ?? -1)
        }
        #expect(reused == [0, 8, 8, 0], "full, incremental, incremental, then full again after 3 runs")
    }

    @Test("check whose newest manifest was damaged hashes everything and says so, instead of failing every run")
    func damagedPreviousManifestMeansFullRehash() throws {
        let fixture = try Fixture()
        try makeTreeAndBaseline(fixture)
        let reports = fixture.directory.url("reports")
        let arguments = [
            "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines",
            fixture.directory.url("baselines"), "--reports", reports,
        ]
        // A full run, then an incremental one; the incremental one (the newest, the one to reuse) is damaged.
        for _ in 0..<2 {
            #expect(try CommandLineTool.run(CommandLineTool.driftcheck, arguments).status == 0)
            usleep(1_200_000)
        }
        let first = try #require(
            try FileManager.default.contentsOfDirectory(atPath: reports).filter { $0.hasSuffix(".manifest.jsonl") }
                .sorted().last)
        #expect(try CommandLineTool.shell("printf x >> '\(reports)/\(first)'").status == 0)
        let second = try CommandLineTool.run(CommandLineTool.driftcheck, arguments)
        #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
        #expect(second.stderr.contains("did not reuse the previous manifest, hashing every file"))
        let newest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: reports).filter { $0.hasSuffix(".manifest.jsonl") }
                .sorted().last)
        #expect(newest != first)
        #expect(try trailer(reports + "/" + newest)["reused"]?.integerValue == 0)
    }
}
