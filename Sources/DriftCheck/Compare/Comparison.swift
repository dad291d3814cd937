import Glibc

/// The compare stage, and its one owner: verifies both manifests (signature, role, host, age), chooses the baseline,
/// merges the two (``Comparer``), lets the live allowlist and the policy judge what differs, groups items under their
/// owners (``Grouping``) and decides what to do (``Recommender``), once. The work behind `driftcheck compare` and
/// the compare half of `check`; its result, a ``Report``, is what renderers format.
package struct Comparison {
    /// The baseline; when nil, the newest baseline for the host's image id in `baselinesDirectory`.
    package var baselinePath: String?
    package var hostPath: String
    /// Which keys may sign the baseline and the host manifest, and what else the host manifest must satisfy.
    package var trust: TrustRoots
    /// Ports and modules a live host may have (see ``LiveAllowlist``), besides the policy's `allow`.
    package var allowlistPath: String? = nil
    /// A policy file; nil means the built-in default policy.
    package var policyPath: String? = nil
    /// Where baselines live: used to find the baseline and to see whether the image was superseded.
    package var baselinesDirectory = "baselines"
    /// Seconds since the epoch, for the image's age.
    package var now = Int(time(nil))
    /// Told about what an operator should know but that does not stop the comparison (a baseline that did not
    /// verify and was skipped).
    package var onWarning: ((String) -> Void)? = nil
    /// Told which baseline was chosen and which keys signed both sides.
    package var onDetail: ((String) -> Void)? = nil

    package init(baselinePath: String?, hostPath: String, trust: TrustRoots) {
        self.baselinePath = baselinePath
        self.hostPath = hostPath
        self.trust = trust
    }

    /// Loads keys and policy, verifies both signatures and the host manifest's role, host and age before reading
    /// either manifest's entries, and compares.
    package func run() throws(DriftCheckError) -> Report {
        let hostKeys = try trust.hostKeys()
        let baselineKeys = try trust.baselineKeys()
        let policy = try PolicyLoader.load(policyPath)
        let allowlist = try allowlistPath.map(LiveAllowlist.load) ?? LiveAllowlist()
        // A baseline named on the command line is verified on a second core while the host manifest is; the host's
        // failures are still reported first.
        let namedBaseline = baselinePath.map { path in
            BackgroundResult { () throws(DriftCheckError) in try ManifestReader.open(path, trustedKeys: baselineKeys) }
        }
        // Joined on every way out: an error must not reach exit while that thread is still inside OpenSSL.
        defer { _ = try? namedBaseline?.value() }
        let host = try ManifestReader.open(hostPath, trustedKeys: hostKeys)
        try trust.checkHost(host.header, path: hostPath, now: now)
        var store: BaselineStore? = nil
        if case .success(let status) = SystemCalls.status(followingLinksAt: baselinesDirectory), status.type == .dir {
            store = try BaselineStore(directory: baselinesDirectory, trustedKeys: baselineKeys)
            for skipped in store?.skipped ?? [] { onWarning?("skipped a baseline: \(skipped)") }
        }
        let chosen: String
        if let baselinePath {
            chosen = baselinePath
        } else {
            guard let image = host.header.image else {
                throw DriftCheckError(
                    .usage, path: hostPath, "names no image id, so its baseline cannot be found; give --baseline")
            }
            guard let store else {
                throw DriftCheckError(
                    .usage, path: baselinesDirectory, "no --baseline given and no baselines directory here")
            }
            guard let found = store.baseline(for: image) else {
                throw DriftCheckError(
                    .usage, path: baselinesDirectory, "holds no verified baseline for image \"\(image)\"")
            }
            chosen = found.path
        }
        let baseline: ManifestReader
        if let namedBaseline {
            baseline = try namedBaseline.value()
        } else {
            baseline = try ManifestReader.open(chosen, trustedKeys: baselineKeys)
        }
        onDetail?(
            "baseline \(chosen) (image \(baseline.header.image ?? "none"), key \(baseline.keyID)); "
                + "host manifest \(hostPath) (host \(host.header.host), key \(host.keyID))")
        var lifecycle = ImageLifecycle()
        lifecycle.supersededBy = store?.newer(than: baseline.header)?.header.image
        lifecycle.ageDays = BaselineStore.days(since: baseline.header.time, now: now)
        return try Self.judge(
            baseline: baseline, host: host, policy: policy, allowlist: allowlist, lifecycle: lifecycle,
            generated: HostInfo.now, tool: HostInfo.toolVersion)
    }

    /// The last stage on grouped items: each grouped item reassessed in the light of its parent, each parent made
    /// as severe as the worst thing under it that its own change does not explain, and marked as tampering when
    /// anything in it looks like tampering.
    static func settle(_ items: inout [DriftItem]) {
        for index in items.indices {
            items[index].related = items[index].related.map { SeverityRules.reassess($0, under: items[index]) }
            let parent = items[index]
            let unexplained = parent.related.filter { !parent.explains($0) && $0.managedBy == nil }
            if let worst = unexplained.map(\.severity).max(), worst > parent.severity {
                items[index].severity = worst
            }
            // A tool owns the item, not what it does not explain under it.
            if parent.managedBy != nil, unexplained.contains(where: { $0.severity > .info }) {
                items[index].managedBy = nil
            }
            items[index].tampering = !items[index].tamperingEvidence.isEmpty
        }
    }

    /// The stages after verification, on two verified manifests: the merge-join, the image check, the allowlist,
    /// the policy, the grouping and the recommendation.
    package static func judge(
        baseline: ManifestReader, host: ManifestReader, policy: Policy = DefaultPolicy.policy,
        allowlist: LiveAllowlist = LiveAllowlist(), lifecycle: ImageLifecycle = ImageLifecycle(), generated: String,
        tool: String
    ) throws(DriftCheckError) -> Report {
        var items: [DriftItem] = []
        let baselineImage = baseline.header.image
        let hostImage = host.header.image
        if baselineImage != hostImage {
            items.append(
                DriftItem(
                    kind: .image, name: Array((hostImage ?? "(none)").utf8), change: .modified, fields: [],
                    severity: .high, baseline: .text(baselineImage ?? "(none)"), host: .text(hostImage ?? "(none)")))
        }
        var found: [DriftItem] = []
        var evidence: [RecordEntry] = []
        var statistics = try Comparer.compare(baseline: baseline, host: host, evidence: { evidence.append($0) }) {
            found.append($0)
        }
        var allowed = policy.allowlist
        allowed.merge(allowlist)
        let (kept, allowedCount) = allowed.filter(found, baselineIsLive: baseline.header.live)
        statistics.allowed = allowedCount
        let outcome = policy.apply(to: kept)
        statistics.ignored = outcome.ignored
        items += Grouping.group(outcome.items).enumerated().sorted { left, right in
            let (a, b) = (left.element.kind.reportRank, right.element.kind.reportRank)
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
        settle(&items)
        EvidenceFinder(records: evidence).attach(to: &items)
        return Report(
            baseline: ManifestSource(baseline), host: ManifestSource(host), items: items, statistics: statistics,
            generated: generated, tool: tool, policyDigest: PolicyRenderer.digest(policy),
            rebuildAt: policy.rebuild.severity, lifecycle: lifecycle,
            recommendation: Recommender.recommend(items, rules: policy.rebuild, lifecycle: lifecycle))
    }
}
