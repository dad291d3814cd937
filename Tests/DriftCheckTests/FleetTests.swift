import Foundation
import Testing

@testable import DriftCheck

@Suite("Fleet view")
struct FleetTests {
    @Test("a dozen hosts across two images: promote common changes, rebuild snowflakes, flag superseded, render HTML")
    func fleetOfTwelve() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baselines = fixture.directory.url("baselines")
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("baselines")
        try fixture.directory.makeDirectory("reports")
        func baseline(_ image: String) throws {
            let made = try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", image, "--key", fixture.key, "--out",
                "\(baselines)/\(image).jsonl", "--quiet", "--no-stamp")
            #expect(made.status == 0, "\(made.stderr)")
        }
        try baseline("web-2026.10")
        try baseline("db-2026.11")
        sleep(1)
        try baseline("web-2026.11")
        // 8 web hosts: all bumped the app port (promote); web-3 also has a new binary (snowflake).
        // 4 db hosts: db-2 edited sshd_config (snowflake).
        var hosts: [(String, String, String)] = []
        for index in 1...8 {
            var drift = "sed -i s/8080/9090/ srv/app/config.yml"
            if index == 3 { drift += " && printf 'x' > usr/bin/evil && chmod 755 usr/bin/evil" }
            hosts.append(("web-\(index)", "web-2026.10", drift))
        }
        for index in 1...4 {
            hosts.append(
                ("db-\(index)", "db-2026.11", index == 2 ? "echo 'PermitRootLogin yes' >> etc/ssh/sshd_config" : "true")
            )
        }
        for (name, image, drift) in hosts {
            let root = fixture.directory.url("hosts/\(name)")
            try fixture.directory.makeDirectory("hosts")
            #expect(
                try CommandLineTool.shell("cp -a '\(fixture.root)' '\(root)' && cd '\(root)' && \(drift)").status == 0)
            let manifest = fixture.directory.url("hosts/\(name).jsonl")
            let scanned = try CommandLineTool.driftcheck(
                "scan", "--root", root, "--image", image, "--host", name, "--key", fixture.key, "--out", manifest,
                "--quiet")
            #expect(scanned.status == 0)
            try fixture.directory.makeDirectory("reports/\(name)")
            let compared = try CommandLineTool.run(
                CommandLineTool.driftcheck,
                [
                    "compare", "--host", manifest, "--pubkey", fixture.pub, "--baselines", baselines, "--format",
                    "json", "--out",
                    "\(reports)/\(name)/\(name)-20261122T000000Z.report.json",
                ])
            #expect(compared.status <= 1, "\(compared.stderr)")
            let validation = try Fixture.validate("report", "\(reports)/\(name)/\(name)-20261122T000000Z.report.json")
            #expect(validation.status == 0, "\(validation.stderr)")
        }
        let text = try CommandLineTool.driftcheck("fleet", reports)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("driftcheck fleet: 12 hosts, 2 images"))
        #expect(text.stdout.contains("IMAGE web-2026.10: 8 hosts, 0 clean, 8 drifted"))
        #expect(text.stdout.contains("superseded by web-2026.11"))
        #expect(text.stdout.contains("PROMOTE   file /srv/app/config.yml modified (content) — on 8/8 hosts"))
        #expect(text.stdout.contains("SNOWFLAKE file /usr/bin/evil added — on web-3: rebuild it"))
        #expect(text.stdout.contains("IMAGE db-2026.11: 4 hosts, 3 clean, 1 drifted"))
        #expect(text.stdout.contains("SNOWFLAKE file /etc/ssh/sshd_config modified (content, size) — on db-2"))
        #expect(text.stdout.contains("1. web-3:"), "the most drifted host ranks first")

        let json = try CommandLineTool.driftcheck("fleet", reports, "--format", "json")
        let view = try JSONParser.parse(Array(json.stdout.utf8.dropLast()))
        guard case .array(let images)? = view["images"] else { Issue.record("no images"); return }
        #expect(images.count == 2)

        let page = fixture.directory.url("fleet.html")
        #expect(try CommandLineTool.driftcheck("fleet", reports, "--format", "html", "--out", page).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "no external assets")
        let png = fixture.directory.url("fleet.png")
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let browser = try #require(chromium, "chromium is needed to render the fleet page (.ci/run installs it)")
        let shot = try CommandLineTool.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400",
                "--screenshot=\(png)", "file://\(page)",
            ], timeout: 90)
        #expect(shot.status == 0, "\(shot.stderr)")
        let image = Array(try Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        let colours = try CommandLineTool.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sys, zlib, struct
                data = open(sys.argv[1], 'rb').read()
                pos, chunks = 8, b''
                width = height = 0
                while pos < len(data):
                    length, kind = struct.unpack('>I4s', data[pos:pos+8]); body = data[pos+8:pos+8+length]
                    if kind == b'IHDR': width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
                    if kind == b'IDAT': chunks += body
                    pos += 12 + length
                raw = zlib.decompress(chunks)
                print(width, height, len(set(raw[i:i+3] for i in range(0, min(len(raw), 3_000_000), 3))))
                """, png,
            ])
        let parts = colours.stdout.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(parts.count == 3)
        #expect(parts.first == 1000)
        #expect((parts.last ?? 0) > 20, "the screenshot shows a rendered page, not a blank one")
    }

    @Test("two names that differ only in bytes that are not UTF-8 are two changes, not one change on two hosts")
    func nonUTF8NamesStayApart() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        try fixture.directory.makeDirectory("reports")
        let baseline = fixture.directory.url("baseline.jsonl")
        #expect(
            try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", "odd-1", "--key", fixture.key, "--out", baseline,
                "--quiet", "--no-stamp"
            ).status == 0)
        // Each host adds a file whose name ends in one byte that is not UTF-8: 0xE9 on one, 0xFF on the other.
        for (host, byte) in [("a", "\\351"), ("b", "\\377")] {
            let root = fixture.directory.url("host-\(host)")
            let made = try CommandLineTool.shell(
                "cp -a '\(fixture.root)' '\(root)' && touch \"\(root)/srv/odd-$(printf '\(byte)')\"")
            #expect(made.status == 0, "\(made.stderr)")
            let manifest = fixture.directory.url("host-\(host).jsonl")
            #expect(
                try CommandLineTool.driftcheck(
                    "scan", "--root", root, "--image", "odd-1", "--host", host, "--key", fixture.key, "--out",
                    manifest, "--quiet"
                ).status == 0)
            let report = fixture.directory.url("reports/\(host)-20261129T000000Z.report.json")
            let compared = try fixture.compare(baseline, manifest, ["--format", "json", "--out", report])
            #expect(compared.status == 1, "\(compared.stderr)")
        }
        let view = try FleetView.load(fixture.directory.url("reports"))
        let odd = view.changes.filter { $0.change.name.starts(with: Array("/srv/odd-".utf8)) }
        #expect(odd.count == 2)
        #expect(odd.allSatisfy { $0.hosts.count == 1 && $0.verdict == .snowflake })
        #expect(Set(odd.map { $0.change.name.last }) == [0xE9, 0xFF])
    }
}
