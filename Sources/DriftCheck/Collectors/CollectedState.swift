/// What the collectors found in a root: their records, in any order, and the package file index.
package struct CollectedState: Sendable {
    package var records: [RecordEntry] = []
    package var packageFiles = PackageFileIndex()
    /// How many records each collector found ("dpkg": 523); zero means its source is absent, which is not an error.
    package var found: [(collector: String, count: Int)] = []
    /// Whether collectors should load the package databases' file digests (for `--verify-packages`).
    package var loadDigests = false

    package init() {}
}
