/// An error that reaches the operator: one line naming the file and what went wrong.
///
/// The executable maps ``exitCode`` to the documented exit codes: 2 for usage, I/O and malformed input,
/// 3 for a signature that is missing, invalid or from an untrusted key.
public struct DriftCheckError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; decides the exit code.
    public enum Code: Sendable, Equatable {
        /// The command line asked for something impossible.
        case usage
        /// Reading or writing a file failed.
        case io
        /// An input file is not what it claims to be (garbage, truncated, wrong format).
        case malformed
        /// A signature is missing, invalid, or made by a key that is not trusted.
        case trust
    }

    /// What kind of failure this is.
    public let code: Code
    /// The file concerned, if any, already escaped for a terminal.
    public let path: String?
    /// What went wrong, in words.
    public let message: String

    package init(_ code: Code, path: String? = nil, _ message: String) {
        self.code = code
        self.path = path.map { TerminalText.escape(Array($0.utf8)) }
        // Messages quote what they found (a host name, a JSON key from a manifest): nothing raw reaches a terminal.
        self.message = TerminalText.clean(message)
    }

    /// The process exit code for this error (2, or 3 for trust failures).
    public var exitCode: Int32 { code == .trust ? 3 : 2 }

    /// The one-line message.
    public var description: String {
        guard let path else { return message }
        return "\(path): \(message)"
    }
}

extension DriftCheckError {
    /// Writing to standard output failed (a closed pipe, a full disk).
    package static func outputFailed(_ reason: String) -> DriftCheckError {
        DriftCheckError(.io, path: "standard output", "cannot write: \(reason)")
    }
}
