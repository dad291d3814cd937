import Foundation
import Testing

@testable import DriftCheck

@Suite("FileScanner")
struct ScannerTests {
    private func scanEntries(_ root: String, configure: (inout FileScanner.Options) -> Void = { _ in }) throws
        -> [FileEntry]
    {
        var options = FileScanner.Options(root: root)
        configure(&options)
        var entries: [FileEntry] = []
        _ = try FileScanner.scan(options) { entry throws(DriftCheckError) in entries.append(entry) }
        return entries
    }

    private func entry(_ entries: [FileEntry], _ path: String) -> FileEntry? {
        entries.first { $0.path == Array(path.utf8) }
    }

    @Test("scanning the same tree twice gives byte-identical entry lines")
    func canonicalBytes() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let first = try fixture.scan("a.jsonl")
        let second = try fixture.scan("b.jsonl")
        let linesA = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n").dropFirst()
        let linesB = try String(contentsOfFile: second, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(linesA.count > 8)
        #expect(Array(linesA) == Array(linesB))
    }

    @Test("entries come out in canonical order: a directory's subtree before a sibling that sorts after it")
    func canonicalOrder() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a/b", "1")
        try directory.write("a.b", "2")
        try directory.write("a-c", "3")
        try directory.write("B", "4")
        let paths = try scanEntries(directory.path).map { String(decoding: $0.path, as: UTF8.self) }
        #expect(paths == ["/", "/B", "/a", "/a/b", "/a-c", "/a.b"])
    }

    @Test("regular files get their SHA-256, symlinks their target, and nothing is followed")
    func recordsAttributes() throws {
        let directory = try TemporaryDirectory()
        try directory.write("data", "hello\n", mode: 0o4750)
        symlink("/etc/passwd", directory.url("link"))
        let entries = try scanEntries(directory.path)
        let file = try #require(entry(entries, "/data"))
        #expect(file.type == .file)
        #expect(file.permissions == 0o4750)
        #expect(file.size == 6)
        #expect(Hex.encode(file.sha256 ?? []) == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        let link = try #require(entry(entries, "/link"))
        #expect(link.type == .symlink)
        #expect(link.target == Array("/etc/passwd".utf8))
        #expect(link.sha256 == nil)
    }

    @Test("a FIFO, a socket and a symlink loop neither hang nor fail the scan")
    func specialFilesDoNotHang() throws {
        let directory = try TemporaryDirectory()
        try directory.write("before", "x")
        #expect(mkfifo(directory.url("fifo"), 0o644) == 0)
        symlink("loop-b", directory.url("loop-a"))
        symlink("loop-a", directory.url("loop-b"))
        symlink(".", directory.url("self"))
        let socketResult = try CommandLineTool.shell(
            "python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"\(directory.url("sock"))\")'")
        #expect(socketResult.status == 0)
        let fixture = try Fixture()
        let started = Date()
        let out = fixture.directory.url("special.jsonl")
        let result = try CommandLineTool.driftcheck(
            "scan", "--root", directory.path, "--key", fixture.key, "--out", out, timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        let entries = try fixture.entries(out)
        #expect(entry(entries, "/fifo")?.type == .fifo)
        #expect(entry(entries, "/sock")?.type == .socket)
        #expect(entry(entries, "/loop-a")?.target == Array("loop-b".utf8))
        #expect(entry(entries, "/self")?.type == .symlink)
        #expect(entries.allSatisfy { $0.error == nil })
        #expect(entries.count == 7)
    }

    @Test("a file that vanishes between listing and opening is recorded with an error, not omitted")
    func vanishedFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        let doomed = try directory.write("doomed", "soon gone")
        try directory.write("kept", "stays")
        let entries = try scanEntries(directory.path) { options in
            options.beforeOpen = { path in
                if path == Array("/doomed".utf8) { unlink(doomed) }
            }
        }
        let vanished = try #require(entry(entries, "/doomed"))
        #expect(vanished.error == "vanished during the scan")
        #expect(vanished.sha256 == nil)
        #expect(entry(entries, "/kept")?.sha256 != nil)
    }

    @Test("capabilities are recorded for executables; a non-executable's are inert until chmod +x, then recorded")
    func capabilitiesOfExecutables() throws {
        let directory = try TemporaryDirectory()
        let tool = try directory.write("tool", "#!/bin/sh\n")
        let data = try directory.write("data", "not a program")
        chmod(tool, 0o755)
        chmod(data, 0o644)
        for path in [tool, data] {
            let set = try CommandLineTool.shell("setcap cap_net_raw+ep '\(path)'")
            try #require(set.status == 0, "setcap: \(set.stderr)")
        }
        let before = try scanEntries(directory.path)
        let recorded = try #require(entry(before, "/tool")?.capabilities)
        #expect(recorded.count >= 20)
        #expect(entry(before, "/data")?.capabilities == nil)
        #expect(entry(before, "/data")?.sha256 != nil)
        chmod(data, 0o744)
        let after = try scanEntries(directory.path)
        #expect(entry(after, "/data")?.capabilities == recorded)
        #expect(entry(after, "/data")?.permissions == 0o744)
    }

    @Test("a scan leaves the access times of the files it reads and the directories it lists as they were")
    func accessTimesAreLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("sub/file", "read by the scan")
        let sub = directory.url("sub")
        // Access two days ago, modification three: under relatime (Debian's default) an access time more than a day
        // old is updated by the next read or listing.
        let now = time(nil)
        var old = [timespec(tv_sec: now - 2 * 86_400, tv_nsec: 0), timespec(tv_sec: now - 3 * 86_400, tv_nsec: 0)]
        for path in [file, sub] { #expect(utimensat(AT_FDCWD, path, &old, 0) == 0) }
        func accessTime(_ path: String) -> Int {
            var status = stat()
            stat(path, &status)
            return status.st_atim.tv_sec
        }
        let entries = try scanEntries(directory.path)
        #expect(entry(entries, "/sub/file")?.sha256 != nil)
        #expect(accessTime(file) == old[0].tv_sec)
        #expect(accessTime(sub) == old[0].tv_sec)
    }

    @Test("a file replaced by a symlink between listing and opening is not followed")
    func replacedBySymlinkIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let victim = try directory.write("victim", "original")
        let entries = try scanEntries(directory.path) { options in
            options.beforeOpen = { path in
                if path == Array("/victim".utf8) {
                    unlink(victim)
                    symlink("/etc/shadow", victim)
                }
            }
        }
        // A full scan opens a listed regular file before any stat: the open fails on the link (O_NOFOLLOW), and the
        // link is recorded as what is there now. Stat-first (an incremental scan) records the listed file with
        // the error instead. Either way nothing is read through the link.
        let replaced = try #require(entry(entries, "/victim"))
        #expect(replaced.sha256 == nil)
        #expect(replaced.type == .symlink)
        #expect(replaced.target == Array("/etc/shadow".utf8))
    }

    @Test("names that are not UTF-8 or hold a newline round-trip byte for byte through the manifest")
    func oddNamesRoundTrip() throws {
        let fixture = try Fixture()
        let names: [[UInt8]] = [
            [0x62, 0x61, 0x64, 0xFF, 0xFE], Array("new\nline".utf8), Array("tab\tand\u{1B}[2J".utf8),
            Array("caf\u{E9}".utf8), Array("quote\"back\\slash".utf8),
        ]
        for name in names {
            let path = Array(fixture.root.utf8) + [UInt8(ascii: "/")] + name
            let descriptor = path.withUnsafeBufferPointer { buffer -> Int32 in
                let cString = Array(buffer) + [0]
                return cString.withUnsafeBufferPointer {
                    open(
                        UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644
                    )
                }
            }
            #expect(descriptor >= 0)
            close(descriptor)
        }
        let manifest = try fixture.scan("odd.jsonl")
        let recorded = try fixture.entries(manifest).map(\.path)
        for name in names {
            #expect(recorded.contains([UInt8(ascii: "/")] + name))
        }
        let raw = try Data(contentsOf: URL(fileURLWithPath: manifest))
        #expect(!raw.contains(0x1B), "no raw escape byte in the manifest")
    }
}
