import DriftCheck

/// The collector's store: enrolled hosts and their pinned keys, enrollment tokens, the signed reports as pushed
/// (bytes and signature, so they can be verified again at any time), and the incidents pushes raised. One schema
/// (``Migrations``), two engines: ``SQLiteStore`` and ``PostgresStore``.
protocol ReportStore: Sendable {
    /// Applies the migrations the store lacks; returns the versions applied now.
    func migrate() async throws(StoreError) -> [Int]
    /// Fails when the store cannot answer (readiness).
    func ping() async throws(StoreError)

    func host(_ name: String) async throws(StoreError) -> EnrolledHost?
    func hosts() async throws(StoreError) -> [EnrolledHost]
    /// Pins `keyID` for `name` when `tokenDigest` names a live token; the host's existing pin decides otherwise.
    func enroll(_ host: EnrolledHost, tokenDigest: String) async throws(StoreError) -> EnrollOutcome
    /// Releases a host from its key, with its reports and incidents (it was rebuilt with a new key).
    func forget(host: String) async throws(StoreError) -> Bool

    /// Stores one verified report unless the host already has a report at least as new; keeps the newest `keep`.
    func insert(_ report: IncomingReport, keep: Int) async throws(StoreError) -> InsertOutcome
    /// Reports with an id above `id`, in id order, at most `limit`.
    func reports(after id: Int64, limit: Int) async throws(StoreError) -> [StoredReport]
    /// The kept reports of `host`, newest first, without their bytes.
    func history(of host: String) async throws(StoreError) -> [ReportSummary]
    func report(_ id: Int64, of host: String) async throws(StoreError) -> StoredReport?

    /// Records an incident unless `host` got one in the last `quiet` seconds; true when recorded.
    func raise(_ incident: Incident, quiet: Int) async throws(StoreError) -> Bool
    func incidents(after id: Int64) async throws(StoreError) -> [Incident]

    /// Copies a host as it is pinned (`copy` to another store); its reports follow through ``insert(_:keep:)``.
    func importHost(_ host: EnrolledHost) async throws(StoreError)
    /// Copies an incident as it was recorded.
    func importIncident(_ incident: Incident) async throws(StoreError)

    func addToken(_ token: EnrollmentToken, digest: String) async throws(StoreError)
    func tokens() async throws(StoreError) -> [EnrollmentToken]
    /// Revokes the token `id` at `time`; false when no live token has that id.
    func revokeToken(_ id: String, at time: Int) async throws(StoreError) -> Bool
}

/// Why the store did not do what was asked.
enum StoreError: Error, CustomStringConvertible {
    /// The database cannot be reached or is not answering now (HTTP 503: retry later).
    case unavailable(String)
    /// The database answered with an error, or holds what this collector cannot read.
    case failed(String)

    var description: String {
        switch self {
        case .unavailable(let why): "the store is unavailable: \(why)"
        case .failed(let why): "the store failed: \(why)"
        }
    }
}

/// A host and the key pinned for it at enrollment.
struct EnrolledHost: Sendable {
    var name: String
    var keyID: String
    /// PEM SubjectPublicKeyInfo.
    var publicKey: [UInt8]
    var enrolled: Int
    var tokenID: String
    /// The time of its newest stored report (0: none yet).
    var newest: Int = 0
}

enum EnrollOutcome: Sendable {
    case enrolled
    /// Already pinned to this very key: nothing changed.
    case alreadyEnrolled
    /// The token is unknown, revoked or expired.
    case badToken
    /// The host is pinned to another key (its id).
    case pinnedToAnotherKey(String)
}

/// A report that verified against its host's pinned key, about to be stored.
struct IncomingReport: Sendable {
    var host: String
    /// The key it verified with: stored only while the host is still pinned to it.
    var keyID: String
    var generated: Int
    var received: Int
    var body: [UInt8]
    var signature: [UInt8]
}

enum InsertOutcome: Sendable {
    case stored(Int64)
    /// The very same bytes as the host's newest report (a retried push whose answer was lost).
    case duplicate
    /// Older than the host's newest report, or as old with other bytes.
    case replay(newest: Int)
    case unknownHost
    /// The host is pinned to another key now (released and enrolled again since the key was read).
    case pinChanged
}

struct StoredReport: Sendable {
    var id: Int64
    var host: String
    var generated: Int
    var received: Int
    var body: [UInt8]
    var signature: [UInt8]
}

struct ReportSummary: Sendable {
    var id: Int64
    var generated: Int
    var received: Int
    var size: Int
}

/// Something a push showed that looks like an attack on a host, e.g. a report signed by another key.
struct Incident: Sendable {
    var id: Int64 = 0
    var host: String
    var time: Int
    var reason: String
}

/// An enrollment token as stored: never the token itself, only its SHA-256.
struct EnrollmentToken: Sendable {
    var id: String
    var created: Int
    var expires: Int?
    var revoked: Int?
    var note: String
    /// SHA-256 (hex) of the token: what enrollment looks up; copied with the token, never shown.
    var digest = ""

    func isLive(at time: Int) -> Bool { revoked == nil && (expires.map { $0 > time } ?? true) }
}
