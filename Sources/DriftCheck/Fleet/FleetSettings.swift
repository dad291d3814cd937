/// How the fleet view judges: which host keys it trusts, when a change is promoted, when a host is stale, and the
/// time it judges at.
package struct FleetSettings: Sendable {
    /// Keys that may sign host reports; a report that verifies with none of them is unverified.
    var trustedKeys: [Ed25519Key] = []
    /// Keys bound to one host: a key read from a directory as NAME.pub signs only reports of host NAME.
    var keyHosts: [String: String] = [:]
    /// The ids of the trusted keys.
    package var trustedKeyIDs: [String] { trustedKeys.map(\.keyID) }
    /// A change is promoted when at least this percentage of the image's hosts made it…
    package var promotePercent = 50
    /// …and at least this many.
    package var promoteMinimum = 2
    /// A host whose newest report is older than this many seconds is stale (default 2 days: twice a daily timer).
    package var staleAfter = 2 * 86_400
    /// The time the view is made at, in seconds since the epoch.
    package var now: Int
    /// Hosts whose every change is listed with when it was first and last seen (`fleet --host`).
    package var historyOf: Set<String> = []

    package init(now: Int) {
        self.now = now
    }

    /// Trusts the host public keys at `paths`: PEM files (trusted for any host), or directories of `NAME.pub` files,
    /// each trusted for host NAME only, so that one host's key cannot speak for another.
    package mutating func trustHostKeys(at paths: [String]) throws(DriftCheckError) {
        for path in paths {
            if case .success(let status) = SystemCalls.status(followingLinksAt: path), status.type == .dir {
                let names: [String]
                switch SystemCalls.directoryNames(atPath: path) {
                case .success(let found): names = found.filter { $0.hasSuffix(".pub") && !$0.hasPrefix(".") }
                case .failure(let error): throw DriftCheckError(.io, path: path, "cannot list the keys: \(error)")
                }
                if names.isEmpty { throw DriftCheckError(.usage, path: path, "holds no *.pub host key") }
                for name in names {
                    let key = try KeyFiles.loadPublicKey("\(path)/\(name)")
                    trustedKeys.append(key)
                    keyHosts[key.keyID] = String(name.dropLast(".pub".count))
                }
            } else {
                trustedKeys.append(try KeyFiles.loadPublicKey(path))
            }
        }
    }

    /// The number of an image's `hosts` that a change must reach to be promoted.
    func promoteThreshold(hosts: Int) -> Int {
        max(promoteMinimum, (hosts * promotePercent + 99) / 100)
    }
}
