import ArgumentParser

/// A whole number given on the command line that must lie in a range: parsed (and refused with the range in a
/// one-line message) before any command runs.
protocol BoundedCount: ExpressibleByArgument {
    static var range: ClosedRange<Int> { get }
    var value: Int { get }
    init(checked value: Int)
}

extension BoundedCount {
    init?(argument: String) {
        guard let value = Int(argument), Self.range.contains(value) else { return nil }
        self.init(checked: value)
    }

    /// Parses `text`; the error names the range (used as the option's `transform`, so the message says why).
    static func parse(_ text: String) throws -> Self {
        guard let parsed = Self(argument: text) else {
            throw ValidationError("expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    var defaultValueDescription: String { String(value) }
}

/// `--jobs`: hashing threads, 1 to 256.
struct HashingThreads: BoundedCount {
    static let range = 1...256
    let value: Int
    init(checked value: Int) { self.value = value }
}

/// `--keep`: how many runs' manifests and reports `check` keeps, 1 to 100,000.
struct KeptRuns: BoundedCount {
    static let range = 1...100_000
    let value: Int
    init(checked value: Int) { self.value = value }
}
