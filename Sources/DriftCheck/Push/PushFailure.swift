/// Why a request to the collector did not get an answer.
package enum PushFailure: Error, CustomStringConvertible {
    /// No connection, a reset, a timeout: the collector may be down; try again later.
    case network(String)
    /// The server could not be trusted, or TLS failed.
    case tls(String)
    /// The answer was not HTTP.
    case protocolError(String)

    package var description: String {
        switch self {
        case .network(let why), .tls(let why), .protocolError(let why): why
        }
    }
}
