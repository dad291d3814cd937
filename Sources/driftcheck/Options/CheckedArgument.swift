import ArgumentParser
import DriftCheck

/// An option value parsed into a type before any command runs; refused with a one-line message that says what
/// was expected.
protocol CheckedArgument: ExpressibleByArgument {
    /// What a valid value looks like, for the message ("a whole number from 1 to 256").
    static var expected: String { get }
}

extension CheckedArgument {
    /// Parses `text` (the option's `transform`, so that ArgumentParser's message says why a value was refused).
    static func parse(_ text: String) throws -> Self {
        guard let parsed = Self(argument: text) else { throw ValidationError("expected \(expected)") }
        return parsed
    }
}

/// A whole number given on the command line that must lie in a range.
protocol BoundedCount: CheckedArgument {
    static var range: ClosedRange<Int> { get }
    var value: Int { get }
    init(checked value: Int)
}

extension BoundedCount {
    init?(argument: String) {
        guard let value = Int(argument), Self.range.contains(value) else { return nil }
        self.init(checked: value)
    }

    static var expected: String { "a whole number from \(range.lowerBound) to \(range.upperBound)" }

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

/// `--promote-share`: a percentage, 1 to 100.
struct Percentage: BoundedCount {
    static let range = 1...100
    let value: Int
    init(checked value: Int) { self.value = value }
}

/// `--at`: a UTC time as driftcheck writes them ("2026-11-29T12:00:00Z").
struct Instant: CheckedArgument {
    static let expected = "a UTC time such as 2026-11-29T12:00:00Z"
    let seconds: Int

    init?(argument: String) {
        guard let seconds = UTCTime.seconds(argument) else { return nil }
        self.seconds = seconds
    }
}

/// `--promote-minimum`: a number of hosts, 1 to 1,000,000.
struct HostCount: BoundedCount {
    static let range = 1...1_000_000
    let value: Int
    init(checked value: Int) { self.value = value }
}
