import ArgumentParser
import DriftCheck

/// `--max-age`: a duration in seconds, or with a unit (90m, 36h, 7d).
struct MaximumAge: CheckedArgument {
    static let expected = "a duration such as 3600, 90m, 36h or 7d"

    let seconds: Int

    init?(argument: String) {
        guard let seconds = TrustRoots.seconds(parsing: argument) else { return nil }
        self.seconds = seconds
    }
}
