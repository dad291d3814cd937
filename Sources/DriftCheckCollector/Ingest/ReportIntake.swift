import DriftCheck
import Glibc

/// Takes one pushed report: verified against the key pinned for the host it names before anything is stored,
/// refused with a 4xx and one line when it is unsigned, altered, signed by another key, from an unknown host, older
/// than the host's newest report, from the future, or too large; an attempt with another key is also raised as an
/// incident on that host.
struct ReportIntake: Sendable {
    let store: any ReportStore
    let ledger: FleetLedger
    let counters: PushCounters
    /// Reports kept per host.
    let keep: Int

    /// Incidents of one host are recorded at most this often (a flood of forged pushes makes one).
    static let incidentQuiet = 600

    func take(body: [UInt8], signatureHeader: String?, keyIDHeader: String?, peer: String) async -> Answer {
        let answer = await judge(body: body, signatureHeader: signatureHeader, keyIDHeader: keyIDHeader, peer: peer)
        counters.count(answer.status < 300 ? "accepted" : "refused_\(answer.status)")
        return answer
    }

    private func judge(body: [UInt8], signatureHeader: String?, keyIDHeader: String?, peer: String) async -> Answer {
        guard let signatureHeader else { return .line(400, "unsigned: no Driftcheck-Signature header") }
        guard let signature = Base64.decode(Array(signatureHeader.utf8)), signature.count == 64 else {
            return .line(400, "the Driftcheck-Signature header is not a base64 Ed25519 signature (64 bytes)")
        }
        // Who the report says it is from, read without parsing it: nothing is parsed before the signature verifies
        // with that host's pinned key, so an unauthenticated client cannot make the collector build a huge document.
        guard let host = Self.claimedHost(body) else {
            return .line(400, "not a \(Report.schema) report: no \"host\" near its start")
        }
        guard Enrollment.isValidName(host) else {
            return .line(400, "the report's host is not a host name (letters, digits, '.', '-', '_')")
        }
        let pinned: (id: String, key: Ed25519Key)?
        do {
            pinned = try await ledger.key(of: host, unless: keyIDHeader)
        } catch {
            return .line(503, "\(error); retry later")
        }
        guard let pinned else { return .line(401, "host \(host) is not enrolled") }
        if let keyIDHeader, keyIDHeader != pinned.id {
            await raise(
                host,
                "a push signed by another key (id \(TerminalText.clean(String(keyIDHeader.prefix(16))))…) from \(peer) "
                    + "was refused")
            return .line(403, "host \(host) is enrolled with another key; refused and raised as an incident")
        }
        guard body.withUnsafeBytes({ pinned.key.verify(signature, of: $0) }) else {
            await raise(host, "a push that does not verify with the host's pinned key from \(peer) was refused")
            return .line(403, "the signature does not verify with the key pinned for \(host): altered or another key")
        }
        // Signed by the host: now parsed, and the name it was checked for must be its top-level host.
        let document: JSONValue
        do {
            document = try JSONParser.parse(body.last == 0x0A ? Array(body.dropLast()) : body)
        } catch {
            return .line(400, "not a JSON report: \(error.message)")
        }
        guard document["host"]?.stringValue == host, let generatedText = document["generated"]?.stringValue else {
            return .line(400, "not a \(Report.schema) report of \(host) with its time")
        }
        guard let generated = UTCTime.seconds(generatedText) else {
            return .line(400, "its time \"\(TerminalText.clean(generatedText))\" is not UTC ISO 8601")
        }
        let now = Int(time(nil))
        guard generated <= now + TrustRoots.allowedSkew else {
            return .line(400, "dated \(TerminalText.clean(generatedText)), in the future: check the host's clock")
        }
        var described: [[UInt8]: String] = [:]
        let outcome = ReportFile.read(
            body, parsed: document, signature: signature, of: "push of \(host)", trustedKeys: [pinned.key],
            keyHosts: [pinned.id: host], verifiedBy: pinned.id, described: &described)
        switch outcome {
        case .verified:
            break
        case .unverified(_, _, let why), .skipped(let why):
            return .line(400, why)
        }
        let incoming = IncomingReport(
            host: host, keyID: pinned.id, generated: generated, received: now, body: body, signature: signature)
        do {
            switch try await store.insert(incoming, keep: keep) {
            case .stored(let id):
                await ledger.apply(id: id, outcome)
                return .line(201, "stored report \(id) of \(host) made \(generatedText)")
            case .duplicate:
                return .line(200, "already stored: report of \(host) made \(generatedText)")
            case .replay(let newest):
                return .line(
                    409, "replay: older than \(host)'s newest report (\(UTCTime.format(newest))); not stored")
            case .unknownHost:
                return .line(401, "host \(host) is not enrolled")
            case .pinChanged:
                // Released and enrolled again (perhaps through another collector) since this key was read.
                await ledger.forgetKey(of: host)
                return .line(403, "the key pinned for \(host) changed; refused")
            }
        } catch {
            return .line(503, "\(error); retry later")
        }
    }

    /// The value of the report's top-level "host", found without parsing: driftcheck writes it among the first
    /// keys of a compact object (`{"schema":…,"generated":…,"tool":…,"host":"NAME",…`). Only a claim, checked
    /// against the parsed document once the signature has verified.
    static func claimedHost(_ body: [UInt8]) -> String? {
        let head = body.prefix(4096)
        let marker = Array("\"host\":\"".utf8)
        guard let offset = head.withUnsafeBytes({ $0.firstOffset(of: marker) }) else { return nil }
        let start = head.startIndex + offset + marker.count
        guard let end = head[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let name = head[start..<end]
        guard !name.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// Records an incident in the store; every collector's ledger reads it from there on its next view.
    private func raise(_ host: String, _ reason: String) async {
        _ = try? await store.raise(
            Incident(host: host, time: Int(time(nil)), reason: reason), quiet: Self.incidentQuiet)
    }
}
