import ArgumentParser
import DriftCheck

/// `--max-age`: a duration in seconds, or with a unit (90m, 36h, 7d).
struct MaximumAge: ExpressibleByArgument {
    let seconds: Int

    init?(argument: String) {
        guard let seconds = TrustRoots.seconds(parsing: argument) else { return nil }
        self.seconds = seconds
    }

    /// Parses `text` for the option's `transform`, with a message that shows the accepted forms.
    static func parse(_ text: String) throws -> MaximumAge {
        guard let age = MaximumAge(argument: text) else {
            throw ValidationError("expected a duration such as 3600, 90m, 36h or 7d")
        }
        return age
    }
}
