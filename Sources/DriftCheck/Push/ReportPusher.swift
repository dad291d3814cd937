import Glibc

/// Where and how `check --push` sends reports.
package struct PushSettings: Sendable {
    package var url: CollectorURL
    /// Trusted certificates for an https collector; nil: the system's.
    package var caFile: String?
    /// The enrollment token's file: used once, when the collector does not know this host yet.
    package var enrollTokenPath: String?
    package var timeout = 30

    package init(url: CollectorURL) {
        self.url = url
    }
}

/// What a push did.
package struct PushSummary: Sendable {
    /// Reports the collector acknowledged (stored now, or already).
    package var sent = 0
    /// Reports still spooled for the next run.
    package var pending = 0
    /// Unpushed reports dropped beyond --keep.
    package var dropped = 0
    /// Reports the collector refused for good, one line each (they are not retried).
    package var refused: [String] = []
    /// Why pushing stopped early (collector unreachable, or unavailable): the rest is retried next run.
    package var failure: String?
    /// The host enrolled during this push.
    package var enrolled = false
}

/// Pushes a host's spooled reports to the collector, oldest first, each signed as it was written; enrolls the host
/// with the token when the collector does not know it yet.
struct ReportPusher {
    var settings: PushSettings
    var key: Ed25519Key
    var host: String

    /// The paths the collector serves.
    static let reportsPath = "/api/v1/reports"
    static let enrollPath = "/api/v1/enroll"

    func push(_ spool: ReportSpool, keep: Int) -> PushSummary {
        var summary = PushSummary()
        summary.dropped = spool.bound(keep: keep)
        let client = HTTPClient(url: settings.url, caFile: settings.caFile, timeout: settings.timeout)
        var triedEnrolling = false
        var queue = spool.pending()[...]
        while let name = queue.first {
            let path = "\(spool.path)/\(name)"
            guard case .success(let body) = SystemCalls.readRegularFile(path, limit: ReportFile.maximumSize),
                case .success(let signature) = SystemCalls.readRegularFile(
                    DetachedSignature.signaturePath(for: path), limit: 64)
            else {
                summary.refused.append("\(TerminalText.clean(name)): unreadable in the spool; dropped")
                spool.remove(name)
                queue.removeFirst()
                continue
            }
            let response: HTTPClient.Response
            do {
                response = try client.post(
                    Self.reportsPath,
                    headers: [
                        ("Content-Type", "application/json"), ("Driftcheck-Signature", Base64.encode(signature)),
                        ("Driftcheck-Key-Id", key.keyID),
                    ], body: body)
            } catch {
                summary.failure = error.description
                break
            }
            switch response.status {
            case 200..<300:
                summary.sent += 1
                spool.remove(name)
                queue.removeFirst()
            case 401 where !triedEnrolling && settings.enrollTokenPath != nil:
                // Not enrolled yet: enroll once, then send the same report again.
                triedEnrolling = true
                do {
                    try enroll(client)
                    summary.enrolled = true
                } catch {
                    summary.failure = error.message
                }
            case 401:
                // Kept: once the host is enrolled, the next run sends it.
                summary.failure =
                    "\(settings.url) does not know this host (\(response.reason)); enroll it with --enroll-token-file"
            case 400..<500 where response.status != 408 && response.status != 429 && response.isFromCollector:
                // The collector's own refusal (a proxy's 403, 404 or 405 is not: that report waits).
                summary.refused.append("\(TerminalText.clean(name)): \(response.status) \(response.reason)")
                spool.remove(name)
                queue.removeFirst()
            default:
                summary.failure = "\(settings.url) answered \(response.status) \(response.reason)"
            }
            if summary.failure != nil { break }
        }
        summary.pending = spool.pending().count
        return summary
    }

    /// Enrolls this host: its name and public key, signed with the key (proof that the host holds it), with the
    /// token as bearer.
    func enroll(_ client: HTTPClient) throws(DriftCheckError) {
        guard let tokenPath = settings.enrollTokenPath else {
            throw DriftCheckError(.usage, "the collector does not know this host, and no --enroll-token-file was given")
        }
        let token = try KeyFiles.loadSecret(tokenPath, what: "enrollment token")
        var json = JSONBuilder()
        json.openObject()
        json.field("host", host)
        let pem: [UInt8]
        do { pem = try key.publicKeyPEM() } catch {
            throw DriftCheckError(.io, "cannot write the public key: \(error)")
        }
        json.field("public_key", pem)
        json.field("time", UTCTime.format(Int(time(nil))))
        json.closeObject()
        let body = json.bytes
        let signature: [UInt8]
        do {
            signature = try body.withUnsafeBytes { raw throws(OpenSSLFailure) in try key.sign(raw) }
        } catch {
            throw DriftCheckError(.io, "cannot sign the enrollment: \(error)")
        }
        let response: HTTPClient.Response
        do {
            response = try client.post(
                Self.enrollPath,
                headers: [
                    ("Content-Type", "application/json"), ("Authorization", "Bearer \(token)"),
                    ("Driftcheck-Signature", Base64.encode(signature)),
                ], body: body)
        } catch {
            throw DriftCheckError(.io, "cannot enroll with \(settings.url): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw DriftCheckError(
                .trust, "\(settings.url) refused the enrollment: \(response.status) \(response.reason)")
        }
    }
}
