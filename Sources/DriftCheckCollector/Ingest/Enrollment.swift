import DriftCheck
import Glibc

/// Enrollment: a host presents a live enrollment token, its name and its public key, and signs the request with
/// that key (it holds the private key); the collector pins the key for the name. A name already pinned to another
/// key is refused and raised as an incident: a rebuilt host gets a new name, or an operator releases the old one
/// (`driftcheck-collector hosts forget NAME`).
struct Enrollment: Sendable {
    let store: any ReportStore
    let ledger: FleetLedger
    let counters: PushCounters

    /// How far the request's time may be from the collector's: a captured enrollment cannot be replayed later.
    static let allowedSkew = 300
    static let maximumBody = 64 * 1024

    func take(body: [UInt8], authorization: String?, signatureHeader: String?, peer: String) async -> Answer {
        let answer = await judge(body: body, authorization: authorization, signatureHeader: signatureHeader, peer: peer)
        counters.count(answer.status < 300 ? "enrolled" : "enroll_refused_\(answer.status)")
        return answer
    }

    private func judge(body: [UInt8], authorization: String?, signatureHeader: String?, peer: String) async -> Answer {
        guard let authorization, authorization.hasPrefix("Bearer "), authorization.count > 7 else {
            return .line(401, "no enrollment token (Authorization: Bearer TOKEN)")
        }
        guard let signatureHeader, let signature = Base64.decode(Array(signatureHeader.utf8)), signature.count == 64
        else { return .line(400, "unsigned: no base64 Ed25519 signature in Driftcheck-Signature") }
        guard body.count <= Self.maximumBody, let document = try? JSONParser.parse(body),
            let host = document["host"]?.stringValue, let pem = document["public_key"]?.stringValue,
            let timeText = document["time"]?.stringValue, let sent = UTCTime.seconds(timeText)
        else { return .line(400, "not an enrollment: a JSON object with host, public_key and time") }
        guard Self.isValidName(host) else {
            return .line(400, "the host name must be 1 to 253 letters, digits, '.', '-' or '_'")
        }
        let now = Int(time(nil))
        guard abs(now - sent) <= Self.allowedSkew else {
            return .line(
                400, "the enrollment is dated \(TerminalText.clean(timeText)), not now: check the host's clock")
        }
        guard let key = try? Ed25519Key.publicKey(pem: Array(pem.utf8)) else {
            return .line(400, "public_key is not an Ed25519 public key in PEM form")
        }
        guard body.withUnsafeBytes({ key.verify(signature, of: $0) }) else {
            return .line(403, "the enrollment is not signed by the key it presents")
        }
        let digest = Self.digest(String(authorization.dropFirst("Bearer ".count)))
        let enrolled = EnrolledHost(
            name: host, keyID: key.keyID, publicKey: Array(pem.utf8), enrolled: now, tokenID: "")
        do {
            switch try await store.enroll(enrolled, tokenDigest: digest) {
            case .badToken:
                return .line(401, "the enrollment token is unknown, revoked or expired")
            case .enrolled:
                await ledger.trust(enrolled)
                return .line(200, "enrolled \(host) with key \(key.keyID)")
            case .alreadyEnrolled:
                return .line(200, "already enrolled: \(host) with key \(key.keyID)")
            case .pinnedToAnotherKey(let pinned):
                let incident = Incident(
                    host: host, time: now,
                    reason: "an enrollment with another key (id \(key.keyID.prefix(16))…) from \(peer) was refused")
                _ = try? await store.raise(incident, quiet: ReportIntake.incidentQuiet)
                return .line(
                    409,
                    "\(host) is enrolled with another key (\(pinned.prefix(16))…); refused and raised as an incident")
            }
        } catch {
            return .line(503, "\(error); retry later")
        }
    }

    /// Host names as `check` writes them: what a hostname may hold.
    static func isValidName(_ name: String) -> Bool {
        (1...253).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2E
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// Tokens are kept as their SHA-256 (hex): the store never holds one that could enroll a host.
    static func digest(_ token: String) -> String {
        Hex.encode(Array(token.utf8).withUnsafeBytes { SHA256Hasher.digest($0) })
    }

    /// A new token: "dct_" and 32 random bytes, base64url, from OpenSSL's generator.
    static func newToken() -> String? {
        guard let bytes = SecureRandom.bytes(32) else { return nil }
        let base64 = Base64.encode(bytes).replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
        return "dct_" + base64
    }
}
