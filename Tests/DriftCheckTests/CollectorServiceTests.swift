import Foundation
import Testing

@testable import DriftCheck

/// The collector over real HTTP: hosts enroll and push with `driftcheck check --push` and with curl, to
/// `driftcheck-collector serve` on an SQLite file and on a throwaway PostgreSQL cluster.
@Suite("Collector service", .serialized)
struct CollectorServiceTests {
    /// An image, its baseline, and hosts (copies of the image, each with its own key and reports directory) that
    /// run `driftcheck check --push`.
    final class Fleet: @unchecked Sendable {
        let fixture: Fixture
        var directory: TemporaryDirectory { fixture.directory }
        let image = "web-2026.11"

        init() throws {
            fixture = try Fixture()
            try fixture.populateImage()
            try directory.makeDirectory("baselines")
            let made = try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", image, "--key", fixture.key, "--out",
                directory.url("baselines/\(image).manifest.jsonl"), "--quiet", "--no-stamp")
            #expect(made.status == 0, "\(made.stderr)")
        }

        /// The host's root (made from the image once), changed by `drift` (a shell command run in it).
        func host(_ name: String, drift: String = "true") throws -> String {
            let root = directory.url("hosts/\(name)")
            if !FileManager.default.fileExists(atPath: root) {
                try directory.makeDirectory("hosts")
                #expect(try CommandLineTool.shell("cp -a '\(fixture.root)' '\(root)'").status == 0)
                #expect(try CommandLineTool.driftcheck("keygen", "--out", directory.url("keys-\(name)")).status == 0)
            }
            #expect(try CommandLineTool.shell("cd '\(root)' && \(drift)").status == 0)
            return root
        }

        func key(_ name: String) -> String { directory.url("keys-\(name).key") }
        func reports(_ name: String) -> String { directory.url("reports/\(name)") }

        /// `driftcheck check --push` on host `name`.
        @discardableResult
        func check(
            _ name: String, push url: String, token: String? = nil, keep: Int = 10, extra: [String] = [],
            refused: Bool = false
        ) throws -> RunResult {
            try directory.makeDirectory("reports")
            var arguments = [
                CommandLineTool.driftcheck, "check", "--root", directory.url("hosts/\(name)"), "--image", image,
                "--host", name, "--key", key(name), "--pubkey", fixture.pub, "--baselines", directory.url("baselines"),
                "--reports", reports(name), "--keep", String(keep), "--push", url,
            ]
            if let token { arguments += ["--enroll-token-file", token] }
            arguments += extra
            let result = try CommandLineTool.run(arguments[0], Array(arguments.dropFirst()))
            #expect(refused ? result.status == 3 : result.status <= 1, "check \(name): \(result.stderr)")
            return result
        }

        /// The newest report of `name` and its signature, base64.
        func newestReport(_ name: String) throws -> (path: String, signature: String) {
            let names = try FileManager.default.contentsOfDirectory(atPath: reports(name))
                .filter { $0.hasSuffix(".report.json") }.sorted()
            let path = reports(name) + "/" + (names.last ?? "")
            let signature = try Data(contentsOf: URL(fileURLWithPath: path + ".sig")).base64EncodedString()
            return (path, signature)
        }

        /// Files in `name`'s push spool.
        func spooled(_ name: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: reports(name) + "/.spool")) ?? [])
                .filter { $0.hasSuffix(".report.json") }.sorted()
        }
    }

    /// The fleet document without what differs between two readers at two moments (the time it was made, and the
    /// trusted keys: files for `fleet`, the pinned keys for the collector).
    static func comparable(_ document: JSONValue) -> JSONValue {
        guard case .object(let fields) = document else { return document }
        return .object(fields.filter { $0.0 != "generated" && $0.0 != "settings" })
    }

    /// Three hosts of one image push; /api/fleet is `driftcheck fleet --format json` over the same reports.
    static func pushAndCompare(store: String, fleet: Fleet, collector: CollectorProcess) throws {
        let token = fleet.directory.url("token")
        try CollectorProcess.token(store: store, file: token)
        try fleet.host("web-1", drift: "sed -i s/8080/9090/ srv/app/config.yml")
        try fleet.host("web-2", drift: "sed -i s/8080/9090/ srv/app/config.yml")
        try fleet.host("web-3", drift: "printf x > usr/bin/extra && chmod 755 usr/bin/extra")
        for name in ["web-1", "web-2", "web-3"] {
            let checked = try fleet.check(name, push: collector.url, token: token)
            #expect(!checked.stderr.contains("push stopped"), "\(checked.stderr)")
            #expect(fleet.spooled(name).isEmpty, "\(name) sent everything")
        }
        let served = try collector.json("/api/fleet")
        try fleet.directory.makeDirectory("keys")
        for name in ["web-1", "web-2", "web-3"] {
            try FileManager.default.copyItem(
                atPath: fleet.directory.url("keys-\(name).pub"), toPath: fleet.directory.url("keys/\(name).pub"))
        }
        let local = try CommandLineTool.driftcheck(
            "fleet", fleet.directory.url("reports"), "--host-pubkey", fleet.directory.url("keys"), "--format", "json")
        #expect(local.status == 0, "\(local.stderr)")
        let expected = try JSONParser.parse(Array(local.stdout.utf8))
        #expect(Self.comparable(served) == Self.comparable(expected), "the collector's verdicts are fleet's")
        #expect(served["summary"]?["promote"]?.integerValue == 1, "web-1 and web-2's change is promoted")
        #expect(served["summary"]?["hosts"]?.integerValue == 3)
    }

    @Test(
        """
        SQLite: check --push enrolls with the token once, every report reaches the collector, /api/fleet is \
        `fleet --format json` over the same reports, the live page renders, metrics parse, history serves each \
        report as pushed with a signature that verifies
        """
    )
    func sqliteEndToEnd() throws {
        let fleet = try Fleet()
        let store = "sqlite:" + fleet.directory.url("collector.db")
        let collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        try Self.pushAndCompare(store: store, fleet: fleet, collector: collector)

        // A second run of web-1: its history has two reports, newest first.
        let again = try fleet.check("web-1", push: collector.url)
        #expect(!again.stderr.contains("push stopped"), "\(again.stderr)")
        let host = try collector.json("/api/hosts/web-1")
        guard case .array(let reports)? = host["reports"] else {
            Issue.record("no reports in \(host)")
            return
        }
        #expect(reports.count == 2)
        #expect(host["state"]?.stringValue == "drifted")
        let localAgain = try CommandLineTool.driftcheck(
            "fleet", fleet.directory.url("reports"), "--host-pubkey", fleet.directory.url("keys"), "--format", "json")
        #expect(
            Self.comparable(try collector.json("/api/fleet"))
                == Self.comparable(try JSONParser.parse(Array(localAgain.stdout.utf8))),
            "after web-1's second report too")
        // The stored bytes verify with openssl against the host's public key.
        let id = reports[0]["id"]?.integerValue ?? 0
        let raw = try CommandLineTool.run(
            "/usr/bin/curl",
            [
                "-s", "-D", fleet.directory.url("headers"), "-o", fleet.directory.url("stored.json"),
                collector.url + "/api/hosts/web-1/reports/\(id)",
            ])
        #expect(raw.status == 0)
        let headers = try String(contentsOfFile: fleet.directory.url("headers"), encoding: .utf8)
        let signature =
            headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("driftcheck-signature:") }
            .map { String($0.split(separator: " ").last ?? "") } ?? ""
        try Data(base64Encoded: signature)?.write(to: URL(fileURLWithPath: fleet.directory.url("stored.sig")))
        let verified = try CommandLineTool.shell(
            "openssl pkeyutl -verify -pubin -inkey '\(fleet.directory.url("keys-web-1.pub"))' -rawin "
                + "-in '\(fleet.directory.url("stored.json"))' -sigfile '\(fleet.directory.url("stored.sig"))'")
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")

        // Metrics: hosts per image and state, and the promote candidates, as Prometheus's parser reads them.
        let metrics = try collector.request("/metrics")
        #expect(metrics.status == 200)
        let metricsFile = try fleet.directory.write("metrics.prom", metrics.body + "\n")
        let parsed = try Fixture.validate("prometheus", metricsFile)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(metrics.body.contains("driftcheck_fleet_hosts{image=\"web-2026.11\",state=\"drifted\"} 3"))
        #expect(metrics.body.contains("driftcheck_fleet_promote_candidates{image=\"web-2026.11\"} 1"))
        #expect(try collector.request("/healthz").status == 200)
        #expect(try collector.request("/readyz").status == 200)

        // The live page as a browser shows it.
        let page = try collector.request("/fleet")
        #expect(page.status == 200 && page.body.contains("<meta http-equiv=\"refresh\""))
        #expect(page.body.contains("web-1") && page.body.contains("promote"))
        let shot = try Screenshot.take(collector.url + "/fleet", into: fleet.directory.url("fleet.png"))
        #expect(shot.colours > 8, "the page rendered with its colours")
    }

    @Test(
        """
        refused pushes: unsigned, altered, another key (an incident on the host), unknown host, replayed and \
        oversized each get a 4xx with one line, and nothing is stored
        """
    )
    func refusedPushes() throws {
        let fleet = try Fleet()
        let store = "sqlite:" + fleet.directory.url("collector.db")
        let collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let token = fleet.directory.url("token")
        try CollectorProcess.token(store: store, file: token)
        try fleet.host("web-1", drift: "echo x >> etc/hostname")
        try fleet.check("web-1", push: collector.url, token: token)
        let old = try fleet.newestReport("web-1")
        try fleet.check("web-1", push: collector.url)
        let (path, signature) = try fleet.newestReport("web-1")
        func stored() throws -> Int {
            guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return -1 }
            return reports.count
        }
        #expect(try stored() == 2)
        let post = { (file: String, headers: [String: String]) throws -> (status: Int, body: String) in
            try collector.request("/api/v1/reports", method: "POST", bodyFile: file, headers: headers)
        }
        // Unsigned.
        var answer = try post(path, [:])
        #expect(answer.status == 400 && answer.body.contains("unsigned"), "\(answer)")
        // Altered: one byte of a value changed, still valid JSON.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let altered = try fleet.directory.write(
            "altered.json", text.replacingOccurrences(of: "\"image_age_days\":0", with: "\"image_age_days\":1"))
        #expect(try String(contentsOfFile: altered, encoding: .utf8) != text)
        answer = try post(altered, ["Driftcheck-Signature": signature])
        #expect(answer.status == 403 && answer.body.contains("does not verify"), "\(answer)")
        // Replayed: the older report again (stored already, but older than the newest); the newest again is a
        // retried push, acknowledged once more and not stored twice.
        answer = try post(old.path, ["Driftcheck-Signature": old.signature])
        #expect(answer.status == 409 && answer.body.contains("replay"), "\(answer)")
        answer = try post(path, ["Driftcheck-Signature": signature])
        #expect(answer.status == 200 && answer.body.contains("already stored"), "\(answer)")
        // Unknown host: a report claiming a host that never enrolled.
        let stranger = try fleet.directory.write(
            "stranger.json", text.replacingOccurrences(of: "\"host\":\"web-1\"", with: "\"host\":\"db-9\""))
        answer = try post(stranger, ["Driftcheck-Signature": signature])
        #expect(answer.status == 401 && answer.body.contains("not enrolled"), "\(answer)")
        // A host name with a NUL in it, signed by web-1's own key: refused before anything is looked up.
        let nul = try fleet.directory.write(
            "nul.json", text.replacingOccurrences(of: "\"host\":\"web-1\"", with: "\"host\":\"web-1\\u0000x\""))
        let nulSigned = try CommandLineTool.shell(
            "openssl pkeyutl -sign -inkey '\(fleet.key("web-1"))' -rawin -in '\(nul)' | base64 -w0")
        answer = try post(nul, ["Driftcheck-Signature": nulSigned.stdout])
        #expect(answer.status == 400, "\(answer)")
        // Oversized: over 64 MiB, refused from its length.
        let big = fleet.directory.url("big.json")
        #expect(try CommandLineTool.shell("head -c 70000000 /dev/zero > '\(big)'").status == 0)
        answer = try post(big, ["Driftcheck-Signature": signature])
        #expect(answer.status == 413, "\(answer)")
        // Another key: web-2's key signs a report naming web-1.
        try fleet.host("web-2")
        let forged = fleet.directory.url("forged.json")
        try FileManager.default.copyItem(atPath: path, toPath: forged)
        let signed = try CommandLineTool.shell(
            "openssl pkeyutl -sign -inkey '\(fleet.key("web-2"))' -rawin -in '\(forged)' | base64 -w0")
        answer = try post(forged, ["Driftcheck-Signature": signed.stdout])
        #expect(answer.status == 403, "\(answer)")
        #expect(try stored() == 2, "nothing refused was stored")
        // The attempt is an incident on web-1, on the page and in the JSON.
        let view = try collector.json("/api/fleet")
        guard case .array(let hosts)? = view["hosts"] else { return }
        let web1 = hosts.first { $0["host"]?.stringValue == "web-1" }
        #expect(web1?["state"]?.stringValue == "incident", "\(String(describing: web1))")
        #expect(try collector.request("/fleet").body.contains("Refused pushes"))
        // One line per answer.
        #expect(!answer.body.trimmingCharacters(in: .newlines).contains("\n"))
    }

    @Test(
        """
        enrollment: a wrong token is refused and the report waits in the spool; a rotated token enrolls; a revoked \
        one does not; a host pinned to a key cannot enroll with another until it is forgotten
        """
    )
    func enrollmentAndRotation() throws {
        let fleet = try Fleet()
        let store = "sqlite:" + fleet.directory.url("collector.db")
        let collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let first = fleet.directory.url("token-1")
        let firstID = try CollectorProcess.token(store: store, file: first)
        let wrong = try fleet.directory.write("token-wrong", "dct_not-a-token\n", mode: 0o600)
        try fleet.host("web-1")
        var checked = try fleet.check("web-1", push: collector.url, token: wrong)
        #expect(checked.stderr.contains("refused the enrollment"), "\(checked.stderr)")
        #expect(fleet.spooled("web-1").count == 1, "kept for the next run")
        // Rotation: a second token made, the first revoked.
        let second = fleet.directory.url("token-2")
        try CollectorProcess.token(store: store, file: second)
        #expect(try CollectorProcess.run(["token", "revoke", "--store", store, firstID]).status == 0)
        #expect(try CollectorProcess.run(["token", "list", "--store", store]).stdout.contains("revoked"))
        checked = try fleet.check("web-1", push: collector.url, token: first)
        #expect(checked.stderr.contains("refused the enrollment"), "the revoked token: \(checked.stderr)")
        checked = try fleet.check("web-1", push: collector.url, token: second)
        #expect(!checked.stderr.contains("push stopped"), "\(checked.stderr)")
        #expect(fleet.spooled("web-1").isEmpty, "the spooled reports went too")
        guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return }
        #expect(reports.count == 3, "all three runs' reports, in order")
        // The same name with a new key (a rebuilt host): refused, an incident, until an operator forgets it.
        try FileManager.default.removeItem(atPath: fleet.key("web-1"))
        try FileManager.default.removeItem(atPath: fleet.directory.url("keys-web-1.pub"))
        #expect(try CommandLineTool.driftcheck("keygen", "--out", fleet.directory.url("keys-web-1")).status == 0)
        checked = try fleet.check("web-1", push: collector.url, token: second, refused: true)
        #expect(checked.stderr.contains("enrolled with another key"), "\(checked.stderr)")
        #expect(try CollectorProcess.run(["hosts", "forget", "--store", store, "web-1"]).status == 0)
        #expect(!(try CollectorProcess.run(["hosts", "list", "--store", store]).stdout.contains("web-1")))
        checked = try fleet.check("web-1", push: collector.url, token: second)
        #expect(!checked.stderr.contains("refused"), "\(checked.stderr)")
        #expect(try CollectorProcess.run(["hosts", "list", "--store", store]).stdout.contains("web-1"))
    }

    @Test(
        """
        a collector that is down: each run's report waits in the spool, the oldest dropped beyond --keep, and the \
        rest arrive in order once it is back
        """
    )
    func spoolWhileDown() throws {
        let fleet = try Fleet()
        let store = "sqlite:" + fleet.directory.url("collector.db")
        let token = fleet.directory.url("token")
        try CollectorProcess.token(store: store, file: token)
        try fleet.host("web-1", drift: "echo x >> etc/hostname")
        // Nothing listens on port 9 (discard) of loopback.
        for index in 0..<3 {
            let checked = try fleet.check("web-1", push: "http://127.0.0.1:9", token: token, keep: 2)
            #expect(checked.stderr.contains("push stopped"), "\(checked.stderr)")
            #expect(fleet.spooled("web-1").count == min(index + 1, 2))
        }
        let waiting = fleet.spooled("web-1")
        // Not the collector answering (a wrong path: the server's own 404, as a proxy's would be): the reports wait.
        let collector0 = try CollectorProcess(store: store, directory: fleet.directory.path)
        let wrong = try fleet.check("web-1", push: collector0.url + "/not-the-collector", token: token, keep: 2)
        #expect(wrong.stderr.contains("push stopped") && wrong.stderr.contains("404"), "\(wrong.stderr)")
        #expect(fleet.spooled("web-1").count == 2, "a 404 that is not the collector's keeps the spool")
        collector0.stop()
        let collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let checked = try fleet.check("web-1", push: collector.url, token: token, keep: 2)
        #expect(!checked.stderr.contains("push stopped"), "\(checked.stderr)")
        #expect(fleet.spooled("web-1").isEmpty)
        guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return }
        // --keep 2: the spool holds the newest two, so the first run's report was dropped when the fourth came.
        #expect(reports.count == 2, "the newest two of four")
        let times = reports.compactMap { $0["generated"]?.stringValue }
        #expect(times == times.sorted(by: >))
        #expect(waiting.count == 2)
        #expect(checked.stderr.contains("dropped the 1 oldest unsent"), "\(checked.stderr)")
    }
}

/// TLS as documented: nginx terminates it in front of the collector, and hosts check its certificate.
@Suite(
    "Collector behind nginx (TLS)",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") && getuid() == 0))
struct CollectorTLSTests {
    @Test(
        """
        check --push https:// through nginx: the certificate is verified against --ca-file (refused without it, the \
        report kept in the spool), the host enrolls and its reports arrive
        """
    )
    func pushThroughNginx() throws {
        let fleet = try CollectorServiceTests.Fleet()
        let directory = fleet.directory
        let store = "sqlite:" + directory.url("collector.db")
        let collector = try CollectorProcess(store: store, directory: directory.path)
        let token = directory.url("token")
        try CollectorProcess.token(store: store, file: token)
        // A CA and a server certificate for localhost, as an operator's internal CA would issue.
        let certificates = try CommandLineTool.shell(
            """
            set -e
            openssl req -x509 -newkey ed25519 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null
            openssl req -newkey ed25519 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
              -extfile san.ext 2>/dev/null
            """, in: directory.path)
        #expect(certificates.status == 0, "\(certificates.stderr)")
        let port = try CommandLineTool.run(
            "/usr/bin/env",
            ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let backend = collector.url.replacingOccurrences(of: "http://", with: "")
        let configuration = try directory.write(
            "nginx.conf",
            """
            daemon off;
            pid \(directory.url("nginx.pid"));
            error_log \(directory.url("nginx-error.log"));
            events {}
            http {
              access_log off;
              client_body_temp_path \(directory.url("body"));
              proxy_temp_path \(directory.url("proxy"));
              fastcgi_temp_path \(directory.url("fastcgi"));
              uwsgi_temp_path \(directory.url("uwsgi"));
              scgi_temp_path \(directory.url("scgi"));
              client_max_body_size 64m;
              server {
                listen 127.0.0.1:\(port) ssl;
                server_name localhost;
                ssl_certificate \(directory.url("server.pem"));
                ssl_certificate_key \(directory.url("server.key"));
                ssl_protocols TLSv1.2 TLSv1.3;
                location / {
                  proxy_pass http://\(backend);
                  proxy_set_header X-Forwarded-For $remote_addr;
                }
              }
            }

            """)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-p", directory.path, "-c", configuration]
        nginx.standardOutput = FileHandle.nullDevice
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        defer {
            kill(nginx.processIdentifier, SIGTERM)
            nginx.waitUntilExit()
        }
        var up = false
        for _ in 0..<100 {
            let probe = try CommandLineTool.run(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "--cacert", directory.url("ca.pem"), "https://localhost:\(port)/healthz"])
            if probe.status == 0 {
                up = true
                break
            }
            usleep(100_000)
        }
        #expect(up, "nginx answers over TLS")
        let url = "https://localhost:\(port)"
        try fleet.host("web-1", drift: "echo x >> etc/hostname")
        // Without the CA, the system's store does not trust the server: nothing is sent, the report waits.
        let untrusted = try fleet.check("web-1", push: url, token: token)
        #expect(untrusted.stderr.contains("not trusted"), "\(untrusted.stderr)")
        #expect(fleet.spooled("web-1").count == 1)
        // With it: enrolled over TLS, and both reports arrive.
        let trusted = try fleet.check("web-1", push: url, token: token, extra: ["--ca-file", directory.url("ca.pem")])
        #expect(!trusted.stderr.contains("push stopped"), "\(trusted.stderr)")
        #expect(fleet.spooled("web-1").isEmpty)
        guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return }
        #expect(reports.count == 2)
    }
}
