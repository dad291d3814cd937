import Glibc

/// One report file as the fleet reads it: at most 64 MiB, never through a link, its signature verified over the
/// exact bytes that are then parsed.
package enum ReportFile {
    /// What reading one file gave.
    package enum Outcome: Sendable {
        case verified(HostReport)
        /// A driftcheck report that does not verify: the host it claims, and why.
        case unverified(claimedHost: String, path: String, reason: String)
        /// Not a driftcheck report at all (not JSON, too large, too deep, another schema): why.
        case skipped(String)
    }

    package static let maximumSize = 64 << 20
    static let suffix = ".report.json"

    /// Every `*.report.json` in `directory` and in its immediate subdirectories (one per host, as collected).
    static func paths(in directory: String) throws(DriftCheckError) -> [String] {
        let top: [String]
        switch SystemCalls.directoryNames(atPath: directory) {
        case .success(let names): top = names.filter { !$0.hasPrefix(".") }
        case .failure(let error):
            throw DriftCheckError(.io, path: directory, "cannot open the reports directory: \(error)")
        }
        var paths: [String] = []
        for name in top {
            let path = "\(directory)/\(name)"
            if name.hasSuffix(suffix) {
                paths.append(path)
            } else if case .success(let status) = SystemCalls.status(atPath: path), status.type == .dir,
                case .success(let inner) = SystemCalls.directoryNames(atPath: path)
            {
                paths += inner.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.map { "\(path)/\($0)" }
            }
        }
        return paths
    }

    /// Reads, verifies and parses the report at `path`. `described` carries the wording of results already seen
    /// from one call to the next.
    static func read(_ path: String, settings: FleetSettings, described: inout [[UInt8]: String]) -> Outcome {
        let bytes: [UInt8]
        switch load(path) {
        case .success(let loaded): bytes = loaded
        case .failure(let error): return .skipped(error.description)
        }
        return read(
            bytes, signature: nil, of: path, trustedKeys: settings.trustedKeys, keyHosts: settings.keyHosts,
            described: &described)
    }

    /// Verifies and parses the report `bytes`, labelled `path`: against `signature`, or when nil against the `.sig`
    /// file beside `path`. A key in `keyHosts` signs only for its host.
    package static func read(
        _ bytes: [UInt8], signature: [UInt8]?, of path: String, trustedKeys: [Ed25519Key], keyHosts: [String: String],
        described: inout [[UInt8]: String]
    ) -> Outcome {
        let report: JSONValue
        do {
            report = try JSONParser.parse(bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes)
        } catch {
            return damaged(path, "not a JSON report: \(error.message)")
        }
        return read(
            bytes, parsed: report, signature: signature, of: path, trustedKeys: trustedKeys, keyHosts: keyHosts,
            described: &described)
    }

    /// ``read(_:signature:of:trustedKeys:keyHosts:described:)`` of `bytes` already parsed into `report` (the
    /// collector parses a push once: it needs the host's name to find the key to verify with). `verifiedBy`: the id
    /// of the key the caller has verified `bytes` with already (the collector, before parsing), so it is not
    /// verified twice.
    package static func read(
        _ bytes: [UInt8], parsed report: JSONValue, signature: [UInt8]?, of path: String, trustedKeys: [Ed25519Key],
        keyHosts: [String: String], verifiedBy: String? = nil, described: inout [[UInt8]: String]
    ) -> Outcome {
        guard report["schema"]?.stringValue == Report.schema, let host = report["host"]?.stringValue else {
            return damaged(path, "not a \(Report.schema) report")
        }
        let signer: String
        do {
            if let verifiedBy {
                signer = verifiedBy
            } else if let signature {
                signer = try DetachedSignature.verify(bytes, signature: signature, of: path, trustedKeys: trustedKeys)
            } else {
                signer = try DetachedSignature.verify(bytes, of: path, trustedKeys: trustedKeys)
            }
        } catch {
            return .unverified(claimedHost: host, path: path, reason: error.message)
        }
        if let owner = keyHosts[signer], owner != host {
            return .unverified(
                claimedHost: host, path: path, reason: "signed with the key of host \(owner), not with this host's")
        }
        do {
            return .verified(try HostReport(report, path: path, signer: signer, described: &described))
        } catch {
            return .skipped(error.description)
        }
    }

    /// The parsed report at `path` when it verifies as ``read(_:settings:described:)`` requires (a report, signed by
    /// a trusted key, of the host that key belongs to); nil otherwise.
    static func verifiedDocument(_ path: String, settings: FleetSettings) -> JSONValue? {
        guard case .success(let bytes) = load(path),
            let report = try? JSONParser.parse(bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes),
            report["schema"]?.stringValue == Report.schema, let host = report["host"]?.stringValue,
            let signer = try? DetachedSignature.verify(bytes, of: path, trustedKeys: settings.trustedKeys)
        else { return nil }
        if let owner = settings.keyHosts[signer], owner != host { return nil }
        return report
    }

    /// A file that is not a report: skipped; but a signed one (a `.sig` beside it) is a report that was damaged or
    /// replaced, and counts against the host its name gives (HOST-YYYYMMDDTHHMMSSZ.report.json).
    private static func damaged(_ path: String, _ problem: String) -> Outcome {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.dropLast(suffix.count)
        if SystemCalls.exists(DetachedSignature.signaturePath(for: path)), stem.count > 17,
            stem[stem.index(stem.endIndex, offsetBy: -17)] == "-"
        {
            return .unverified(claimedHost: String(stem.dropLast(17)), path: path, reason: "signed, but \(problem)")
        }
        return .skipped(DriftCheckError(.malformed, path: path, problem).description)
    }

    private static func load(_ path: String) -> Result<[UInt8], DriftCheckError> {
        SystemCalls.readRegularFile(path, limit: maximumSize).mapError { failure in
            switch failure {
            case .cannotOpen(let error): DriftCheckError(.io, path: path, "cannot open: \(error)")
            case .notRegularFile: DriftCheckError(.malformed, path: path, "not a regular file")
            case .tooLarge: DriftCheckError(.malformed, path: path, "larger than 64 MiB")
            case .cannotRead(let error): DriftCheckError(.io, path: path, "cannot read: \(error)")
            }
        }
    }
}
