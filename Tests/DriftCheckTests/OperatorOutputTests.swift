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

    @Test(
        """
        a host with 120 packages installed by dpkg prints one line per item and a summary; --details lists their \
        files; show prints one package in full
        """
    )
    func textReportStaysReadableAtScale() throws {
        let fixture = try Fixture()
        let image = fixture.root
        let packages = fixture.directory.url("debs")
        let setup = """
            set -e
            mkdir -p '\(image)/var/lib/dpkg/info' '\(image)/var/lib/dpkg/updates' '\(image)/var/lib/dpkg/triggers' \
                '\(packages)'
            : > '\(image)/var/lib/dpkg/status'
            : > '\(image)/var/lib/dpkg/available'
            """
        #expect(try CommandLineTool.shell(setup).status == 0)
        let baseline = try fixture.scan("baseline.jsonl")
        let build = """
            set -e
            cd '\(packages)'
            for n in $(seq 100 219); do
                d=tool$n
                mkdir -p $d/DEBIAN $d/usr/bin $d/usr/share/doc/tool$n
                printf '#!/bin/sh\\necho %s\\n' $n > $d/usr/bin/tool$n
                chmod 755 $d/usr/bin/tool$n
                for f in README copyright changelog NEWS TODO AUTHORS THANKS BUGS; do
                    echo $f > $d/usr/share/doc/tool$n/$f
                done
                printf 'Package: tool%s\\nVersion: 1.0-1\\nArchitecture: all\\n' $n > $d/DEBIAN/control
                printf 'Maintainer: T <t@example.com>\\nDescription: fixture\\n tiny\\n' >> $d/DEBIAN/control
                dpkg-deb --root-owner-group --build $d $d.deb >/dev/null
            done
            dpkg --root='\(image)' --force-depends --force-script-chrootless -i ./*.deb >/dev/null
            """
        let built = try CommandLineTool.shell(build)
        #expect(built.status == 0, "\(built.stderr)")
        let host = try fixture.scan("host.jsonl")
        let compact = try fixture.compare(baseline, host, ["--format", "text"])
        #expect(compact.status == 1)
        let lines = compact.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("  HIGH     added      tool") }.count == 120)
        #expect(lines.count < 120 + 30, "one line per item, a heading, a summary, the reasons: \(lines.count)")
        #expect(compact.stdout.contains("  HIGH     added      tool150  1.0-1 all  (+10 files)"))
        let summary = try #require(lines.first { $0.hasPrefix("Summary: 120 drifted") })
        let grouped = try #require(
            summary.split(separator: ", ").first { $0.contains(" changes grouped under them (--details lists them)") })
        let groupedCount = try #require(Int(grouped.split(separator: " ")[0]))
        #expect(groupedCount >= 120 * 10)
        let detailed = try fixture.compare(baseline, host, ["--format", "text", "--details"])
        #expect(detailed.stdout.split(separator: "\n").count >= 120 + groupedCount)
        #expect(detailed.stdout.contains("      added /usr/bin/tool150  file 0755 0:0"))
        let shown = try CommandLineTool.driftcheck(
            "show", "--baseline", baseline, "--host", host, "--pubkey", fixture.pub, "package", "tool150")
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("/usr/share/doc/tool150/THANKS"))
        #expect(!shown.stdout.contains("tool151"))
        let missing = try CommandLineTool.driftcheck(
            "show", "--baseline", baseline, "--host", host, "--pubkey", fixture.pub, "package", "tool999")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no drifted item named package tool999"))
    }
}
