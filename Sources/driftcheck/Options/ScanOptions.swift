import ArgumentParser
import DriftCheck

/// The options every command that scans takes: `scan`, `baseline` and `check`.
struct ScanningOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Private signing key (PEM; must not be readable by group or others).", valueName: "KEY"))
    var key: String

    @Option(
        name: .long,
        help: ArgumentHelp("Host name recorded in the manifest (default: this machine's).", valueName: "NAME"))
    var host: String?

    @Flag(
        name: .long,
        help: "Descend into other filesystems mounted below the root (pseudo filesystems are always skipped).")
    var crossMounts = false

    @Option(
        name: .long, help: ArgumentHelp("Hashing threads, 1 to 256 (default: one per core).", valueName: "N"),
        transform: HashingThreads.parse)
    var jobs: HashingThreads?

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Also check every package-owned file against its package's recorded digest (dpkg md5sums, rpm SHA-256), "
                + "as debsums does.")
    )
    var verifyPackages = false

    @Flag(name: .long, help: "Hash every file: reuse no hash from a previous manifest (--reuse, or check's last run).")
    var full = false

    @Flag(name: .long, help: "Lower CPU priority (nice 19) and I/O priority (idle class) for production hosts.")
    var nice = false

    @OptionGroup var logging: LoggingOptions

    @OptionGroup var permissions: OutputPermissions

    /// The scanner's options for `root`.
    func scannerOptions(root: String) -> FileScanner.Options {
        var options = FileScanner.Options(root: root)
        options.crossMounts = crossMounts
        if let jobs { options.jobs = jobs.value }
        return options
    }

    /// The scan of `root` these options describe, writing to `out` (set later by `check`).
    func manifestScan(root: String, image: String?, out: String, policy: Policy) -> ManifestScan {
        var scan = ManifestScan(
            options: scannerOptions(root: root), image: image, host: host ?? HostInfo.hostName, keyPath: key,
            outputPath: out)
        scan.outputMode = permissions.mode
        scan.verifyPackages = verifyPackages
        scan.nice = nice
        scan.policyDigest = PolicyRenderer.digest(policy)
        scan.contentCapture = ContentCapture(policy: policy.effectiveContent)
        let logger = logging.logger()
        scan.onNiceRefused = { logger.warning("could not lower the scan's priority") }
        scan.onPackageMismatch = { mismatch in
            let problem =
                switch mismatch.problem {
                case .missing: "missing"
                case .contentDiffers: "content does not match the checksum recorded by"
                }
            logger.warning("\(TerminalText.escape(mismatch.path)): \(problem) package \(mismatch.package)")
        }
        return scan
    }
}

/// The options of `scan` and `baseline`: the scanning options, where the manifest goes, and what it reuses.
struct ScanOptions: ParsableArguments {
    @OptionGroup var scanning: ScanningOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Where to write the manifest; its signature goes to FILE.sig.", valueName: "FILE"))
    var out: String

    @Option(
        name: .long,
        help: ArgumentHelp("Policy file whose digest the manifest records (default: built-in).", valueName: "FILE"))
    var policy: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A previous manifest of this root signed by the same key: files whose device, inode, size, mtime and ctime "
                + "are unchanged keep their hash.",
            valueName: "MANIFEST"))
    var reuse: String?

    var key: String { scanning.key }
    var logging: LoggingOptions { scanning.logging }
    var permissions: OutputPermissions { scanning.permissions }
    var host: String? { scanning.host }

    /// Scans, writes and signs; prints a one-line summary to standard error unless quiet, and progress while it
    /// scans when standard error is a terminal.
    func run(root: String, image: String?, role: ManifestRole = .host) throws {
        let logger = logging.logger()
        let started = Terminal.monotonicSeconds
        var scan = scanning.manifestScan(root: root, image: image, out: out, policy: try PolicyLoader.load(policy))
        scan.role = role
        scan.reusePath = scanning.full ? nil : reuse
        let reusing = scan.reusePath.map { ", reusing unchanged hashes from \($0)" } ?? ""
        logger.debug("scanning \(root) as a \(role.rawValue) manifest, \(scan.options.jobs) hashing threads\(reusing)")
        let statistics = try logging.withProgress { progress in
            scan.options.progress = progress
            return try scan.run()
        }
        // Like debsums: a package-owned file that fails its checksum makes the exit code 1 (the manifest is written).
        let exit = statistics.packageMismatches > 0 ? ExitCode(1) : nil
        let seconds = Terminal.monotonicSeconds - started
        var counts = "\(statistics.regularFiles) files, \(ProgressDisplay.decimal(statistics.bytesHashed)) hashed, "
        counts += "\(statistics.errors) errors, \(statistics.records) records"
        if scan.reusePath != nil { counts += ", \(statistics.reused) hashes reused" }
        if scanning.verifyPackages { counts += ", \(statistics.packageMismatches) package checksum mismatches" }
        let time = Double(Int(seconds * 100)) / 100
        logger.info("scanned \(statistics.entries) entries (\(counts)) in \(time) s; wrote \(out) and \(out).sig")
        if let exit { throw exit }
    }

    /// The baseline of a container image file (`baseline --image-tar`).
    func runImage(archive: String, image: String) throws {
        let logger = logging.logger()
        let started = Terminal.monotonicSeconds
        var scan = ImageScan(
            archivePath: archive, image: image, host: host ?? HostInfo.hostName, keyPath: key, outputPath: out)
        scan.outputMode = permissions.mode
        let policy = try PolicyLoader.load(policy)
        scan.policyDigest = PolicyRenderer.digest(policy)
        scan.contentCapture = ContentCapture(policy: policy.effectiveContent)
        let statistics = try scan.run()
        let time = Double(Int((Terminal.monotonicSeconds - started) * 100)) / 100
        let counts = "\(statistics.regularFiles) files, \(statistics.records) records"
        logger.info(
            "read \(statistics.entries) entries (\(counts)) from \(archive) in \(time) s; wrote \(out) and \(out).sig")
    }
}
