/// Which keys are trusted to sign what, and what else a host manifest must satisfy to be believed.
///
/// Baselines are signed at image build time with a build key that never lives on a host; host manifests are signed
/// with host keys. Keeping the two trust roots apart means a stolen host key cannot forge a baseline. The role in
/// each header stops one kind of manifest standing in for the other even when a key is trusted for both (`--pubkey`),
/// the expected host name stops one host's manifest standing in for another's, and the age limit stops an old clean
/// manifest being replayed after the host drifted.
package struct TrustRoots: Sendable {
    /// Keys trusted for baselines and host manifests alike (`--pubkey`).
    package var sharedKeyPaths: [String] = []
    /// Keys trusted for baselines only (`--baseline-pubkey`).
    package var baselineKeyPaths: [String] = []
    /// Keys trusted for host manifests only (`--host-pubkey`).
    package var hostKeyPaths: [String] = []
    /// Further keys trusted for host manifests: `check` trusts the key it just signed with.
    var extraHostKeys: [Ed25519Key] = []
    /// The host name a host manifest must carry (`--expect-host`).
    package var expectedHost: String? = nil
    /// How old, in seconds, a host manifest may be (`--max-age`).
    package var maxAge: Int? = nil
    /// How far in the future a host manifest's time may lie (clock skew between hosts).
    package static let allowedSkew = 600

    package init(sharedKeyPaths: [String] = []) {
        self.sharedKeyPaths = sharedKeyPaths
    }

    static func load(_ paths: [String], for what: String, options: String) throws(DriftCheckError) -> [Ed25519Key] {
        guard !paths.isEmpty else {
            throw DriftCheckError(.usage, "no key is trusted for \(what): give \(options)")
        }
        var keys: [Ed25519Key] = []
        for path in paths { keys.append(try KeyFiles.loadPublicKey(path)) }
        return keys
    }

    /// The keys that may sign a baseline.
    func baselineKeys() throws(DriftCheckError) -> [Ed25519Key] {
        try Self.load(sharedKeyPaths + baselineKeyPaths, for: "baselines", options: "--pubkey or --baseline-pubkey")
    }

    /// The keys that may sign a host manifest.
    func hostKeys() throws(DriftCheckError) -> [Ed25519Key] {
        // Comparing two images (--compare-baselines): a baseline on the host side verifies with the build keys.
        let paths = sharedKeyPaths + hostKeyPaths + (baselineAsHost ? baselineKeyPaths : [])
        if paths.isEmpty && !extraHostKeys.isEmpty { return extraHostKeys }
        return try Self.load(paths, for: "host manifests", options: "--pubkey or --host-pubkey") + extraHostKeys
    }

    /// Whether a baseline may stand on the host side (`--compare-baselines`: what changed between two images).
    package var baselineAsHost = false

    /// Refuses a verified host manifest that is a baseline, names another host, or is too old (or from the future).
    /// (A host manifest on the baseline side is allowed: comparing a host with its own earlier manifest is normal.)
    func checkHost(_ header: ManifestHeader, path: String, now: Int) throws(DriftCheckError) {
        if header.role == .baseline && !baselineAsHost {
            throw DriftCheckError(
                .trust, path: path,
                "is the baseline of image \"\(header.image ?? "?")\", not a host manifest "
                    + "(--compare-baselines compares two images)")
        }
        if let expectedHost, header.host != expectedHost {
            throw DriftCheckError(
                .trust, path: path, "was made on host \"\(header.host)\", not on \"\(expectedHost)\" (--expect-host)")
        }
        guard let maxAge else { return }
        guard let made = UTCTime.seconds(header.time) else {
            throw DriftCheckError(.trust, path: path, "has no readable time (\"\(header.time)\") to check --max-age")
        }
        if now - made > maxAge {
            throw DriftCheckError(
                .trust, path: path,
                "was made at \(header.time), \(Self.describe(seconds: now - made)) ago: older than --max-age "
                    + Self.describe(seconds: maxAge))
        }
        if made - now > Self.allowedSkew {
            throw DriftCheckError(
                .trust, path: path, "is dated \(header.time), in the future: this clock or the host's is wrong")
        }
    }

    /// Seconds for a duration such as "90", "90s", "45m", "36h" or "7d"; nil when malformed.
    package static func seconds(parsing text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var unit = 1
        if let last = digits.last, let multiplier = units[last] {
            unit = multiplier
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0,
            value <= Int.max / unit
        else { return nil }
        return value * unit
    }

    /// "36h", "2d 3h", "45s": a duration in words an operator reads at a glance.
    static func describe(seconds: Int) -> String {
        if seconds >= 86_400 {
            let hours = seconds % 86_400 / 3600
            return "\(seconds / 86_400)d" + (hours > 0 ? " \(hours)h" : "")
        }
        if seconds >= 3600 { return "\(seconds / 3600)h" + (seconds % 3600 >= 60 ? " \(seconds % 3600 / 60)m" : "") }
        if seconds >= 60 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
