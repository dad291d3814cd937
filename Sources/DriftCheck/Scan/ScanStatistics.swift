import Glibc

/// What a scan saw, for the operator's summary line.
package struct ScanStatistics: Sendable {
    package var entries = 0
    package var regularFiles = 0
    package var bytesHashed: Int64 = 0
    package var errors = 0
    /// Records found by the collectors (packages, services, accounts …).
    package var records = 0
    /// Package-owned files whose content does not match their package's digest (`--verify-packages`).
    package var packageMismatches = 0
    /// File hashes reused from the previous manifest (`--reuse`).
    package var reused = 0
    /// Files whose content the manifest keeps (``ContentCapture``).
    package var contentsKept = 0
}
