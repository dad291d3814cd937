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
        // Who the report says it is from: the key to check it with is that host's.
        let document: JSONValue
        do {
            document = try JSONParser.parse(body.last == 0x0A ? Array(body.dropLast()) : body)
        } catch {
            return .line(400, "not a JSON report: \(error.message)")
        }
        guard document["schema"]?.stringValue == Report.schema, let host = document["host"]?.stringValue,
            let generatedText = document["generated"]?.stringValue
        else { return .line(400, "not a \(Report.schema) report with host and generated") }
        let name = TerminalText.clean(host)
        guard let generated = UTCTime.seconds(generatedText) else {
            return .line(400, "its time \"\(TerminalText.clean(generatedText))\" is not UTC ISO 8601")
        }
        let now = Int(time(nil))
        guard generated <= now + TrustRoots.allowedSkew else {
            return .line(400, "dated \(TerminalText.clean(generatedText)), in the future: check the host's clock")
        }
        let pinned: (id: String, key: Ed25519Key)?
        do {
            pinned = try await ledger.key(of: host, unless: keyIDHeader)
        } catch {
            return .line(503, "\(error); retry later")
        }
        guard let pinned else { return .line(401, "host \(name) is not enrolled") }
        if let keyIDHeader, keyIDHeader != pinned.id {
            await raise(host, "a push signed by another key (id \(keyIDHeader.prefix(16))…) from \(peer) was refused")
            return .line(403, "host \(name) is enrolled with another key; refused and raised as an incident")
        }
        var described: [[UInt8]: String] = [:]
        let outcome = ReportFile.read(
            body, parsed: document, signature: signature, of: "push of \(name)", trustedKeys: [pinned.key],
            keyHosts: [pinned.id: host], described: &described)
        switch outcome {
        case .verified:
            break
        case .unverified:
            await raise(host, "a push that does not verify with the host's pinned key from \(peer) was refused")
            return .line(403, "the signature does not verify with the key pinned for \(name): altered or another key")
        case .skipped(let why):
            return .line(400, why)
        }
        let incoming = IncomingReport(
            host: host, generated: generated, received: now, body: body, signature: signature)
        do {
            switch try await store.insert(incoming, keep: keep) {
            case .stored(let id):
                await ledger.apply(id: id, outcome)
                return .line(201, "stored report \(id) of \(name) made \(generatedText)")
            case .duplicate:
                return .line(200, "already stored: report of \(name) made \(generatedText)")
            case .replay(let newest):
                return .line(
                    409, "replay: older than \(name)'s newest report (\(UTCTime.format(newest))); not stored")
            case .unknownHost:
                return .line(401, "host \(name) is not enrolled")
            }
        } catch {
            return .line(503, "\(error); retry later")
        }
    }

    /// Records an incident in the store; every collector's ledger reads it from there on its next view.
    private func raise(_ host: String, _ reason: String) async {
        _ = try? await store.raise(
            Incident(host: host, time: Int(time(nil)), reason: reason), quiet: Self.incidentQuiet)
    }
}
