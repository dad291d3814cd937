import ArgumentParser
import DriftCheck
import Logging

/// Options shared by `compare`, `check` and `show`: trust, policy, gate, detail.
struct JudgementOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A public key (PEM) trusted for baselines and host manifests alike; repeat for several (key rotation).",
            valueName: "PUBKEY"))
    var pubkey: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A public key trusted for baselines only (the image build key); repeat for several.", valueName: "PUBKEY"))
    var baselinePubkey: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("A public key trusted for host manifests only; repeat for several.", valueName: "PUBKEY"))
    var hostPubkey: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Refuse (exit 3) a host manifest made on another host than NAME.", valueName: "NAME"))
    var expectHost: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Refuse (exit 3) a host manifest older than this: seconds, or with a unit (90m, 36h, 7d).",
            valueName: "AGE"),
        transform: MaximumAge.parse)
    var maxAge: MaximumAge?

    @Flag(name: .long, help: "Allow a baseline on the host side too, to compare two images.")
    var compareBaselines = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Policy file (YAML); default: the built-in policy (driftcheck policy show).", valueName: "FILE"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Where signed baselines live.", valueName: "DIR"))
    var baselines: String = "baselines"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ports and kernel modules a live host may have that its image baseline cannot (lines: port|module GLOB).",
            valueName: "FILE"))
    var allowlist: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Lowest severity that makes the exit code 1: critical, high, medium, low or info.", valueName: "SEVERITY"))
    var failOn: Severity = .info

    @Flag(
        name: .long,
        help: "Text report: list every change grouped under an item, not only those that look like tampering.")
    var details = false

    func comparison(baseline: String?, host: String, logger: Logger) -> Comparison {
        var trust = TrustRoots(sharedKeyPaths: pubkey)
        trust.baselineKeyPaths = baselinePubkey
        trust.hostKeyPaths = hostPubkey
        trust.expectedHost = expectHost
        trust.maxAge = maxAge?.seconds
        trust.baselineAsHost = compareBaselines
        var comparison = Comparison(baselinePath: baseline, hostPath: host, trust: trust)
        comparison.allowlistPath = allowlist
        comparison.policyPath = policy
        comparison.baselinesDirectory = baselines
        comparison.onWarning = { logger.warning("\($0)") }
        comparison.onDetail = { logger.debug("\($0)") }
        return comparison
    }
}
