import Foundation
import Testing

@testable import DriftCheck
@testable import driftcheck

/// What an operator sees on standard error: progress on a terminal only, a summary unless --quiet, steps with
/// --verbose, one line per message through swift-log.
@Suite("Operator output")
struct OperatorOutputTests {
    @Test("a long scan shows progress on a terminal and erases it; through a pipe it shows none")
    func progressOnTerminalOnly() throws {
        let fixture = try Fixture()
        let manifest = fixture.directory.url("usr.jsonl")
        let command =
            "'\(CommandLineTool.driftcheck)' scan --root /usr --jobs 1 --key '\(fixture.key)' --out '\(manifest)'"
        // script(1) gives the command a pseudo-terminal and copies what it printed into the typescript file.
        let typescript = fixture.directory.url("typescript")
        let onTerminal = try CommandLineTool.run(
            "/usr/bin/script", ["-q", "-e", "-c", command, typescript], timeout: 300)
        #expect(onTerminal.status == 0, "\(onTerminal.stderr)")
        let shown = try String(contentsOfFile: typescript, encoding: .utf8)
        #expect(shown.contains("scanning: "), "progress on a terminal")
        #expect(shown.contains(" entries, ") && shown.contains(" hashed, ") && shown.contains("/s  /"))
        #expect(shown.contains("\r\u{1B}[K" + "driftcheck: scanned "), "the line is erased before the summary")
        let piped = try CommandLineTool.shell(
            "'\(CommandLineTool.driftcheck)' scan --root /usr/share/doc --key '\(fixture.key)' --out '\(manifest)'")
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("scanning: ") && !piped.stderr.contains("\u{1B}"), "nothing for pipes and cron")
        #expect(piped.stderr.hasPrefix("driftcheck: scanned "))
    }

    @Test("--quiet prints nothing on success, --verbose prints each step, and they cannot be combined")
    func quietAndVerbose() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let quiet = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", fixture.directory.url("q.jsonl"), "-q")
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty && quiet.stdout.isEmpty)
        let verbose = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", fixture.directory.url("v.jsonl"), "-v")
        #expect(verbose.stderr.contains("driftcheck: debug: scanning \(fixture.root) as a host manifest"))
        #expect(verbose.stderr.contains("driftcheck: scanned "))
        let compared = try CommandLineTool.driftcheck(
            "compare", "--baseline", fixture.directory.url("q.jsonl"), "--host", fixture.directory.url("v.jsonl"),
            "--pubkey", fixture.pub, "--verbose")
        #expect(compared.stderr.contains("driftcheck: debug: baseline "))
        #expect(compared.stderr.contains("key "))
        let both = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", fixture.directory.url("b.jsonl"), "-q", "-v")
        #expect(both.status == 2)
    }

    @Test("the progress line fits the terminal and escapes the directory name")
    func progressLine() {
        let progress = ScanProgress()
        progress.entered(Array("/srv/\u{1B}]0;owned\u{07}/".utf8) + Array(repeating: UInt8(ascii: "d"), count: 200))
        for _ in 0..<123_456 { progress.recorded() }
        progress.hashed(4_200_000_000)
        let line = ProgressDisplay.line(progress, seconds: 2, columns: 80)
        #expect(line.hasPrefix("scanning: 123,456 entries, 4.2 GB hashed, 2.1 GB/s  …"))
        #expect(line.count <= 79)
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test(
        "an out-of-range or malformed option value is one line naming the option and exit 2, before anything runs",
        arguments: [
            ("--jobs", "100000", ["check", "--key", "k"]), ("--jobs", "0", ["check", "--key", "k"]),
            ("--jobs", "x", ["scan", "--key", "k", "--out", "o"]), ("--keep", "0", ["check", "--key", "k"]),
            ("--fail-on", "severe", ["compare", "--host", "h"]), ("--max-age", "3weeks", ["compare", "--host", "h"]),
            ("--mode", "0666", ["scan", "--key", "k", "--out", "o"]),
        ])
    func outOfRangeOptions(_ option: String, _ value: String, _ rest: [String]) throws {
        let result = try CommandLineTool.run(CommandLineTool.driftcheck, rest + [option, value])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("'\(value)' is invalid for '\(option) <"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("driftcheck: "))
    }
}
