import Glibc

/// Counts of what a comparison looked at.
package struct CompareStatistics: Sendable {
    package var baselineEntries = 0
    package var hostEntries = 0
    /// Entries below a directory that one side did not scan (another filesystem): not compared.
    package var notCompared = 0
    /// Live-only items (ports, modules) the allowlist permitted.
    package var allowed = 0
    /// Items the policy ignored (an `ignore` rule, or no watched field left).
    package var ignored = 0
}
