import ArgumentParser
import DriftCheck

extension Severity: ExpressibleByArgument {
    /// A severity by name (`--fail-on high`).
    package init?(argument: String) {
        self.init(name: argument)
    }

    package var defaultValueDescription: String { name }

    package static var allValueStrings: [String] { allCases.reversed().map(\.name) }
}
