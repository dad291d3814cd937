internal import COpenSSL

/// Why OpenSSL refused a key or a signature operation, with OpenSSL's own reason.
package struct OpenSSLFailure: Error, CustomStringConvertible {
    package let description: String

    init(_ what: String) {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            reasons.append(text)
        }
        description = reasons.isEmpty ? what : "\(what) (\(reasons.last ?? ""))"
    }
}
