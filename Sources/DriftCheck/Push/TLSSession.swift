internal import COpenSSL
import Glibc

/// A TLS client session over a connected socket, through OpenSSL's libssl: TLS 1.2 or later, the server's
/// certificate verified against the system's trust store (or `caFile`) and matched to the host name.
final class TLSSession {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Handshakes on `socket` with `host`; the error says why the server was not trusted.
    init(socket: Int32, host: String, caFile: String?) throws(PushFailure) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw .tls("cannot create a TLS context") }
        self.context = context
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .tls("cannot create a TLS session")
        }
        self.ssl = ssl
        _ = driftcheck_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded =
            caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else {
            throw .tls("cannot load the trusted certificates\(caFile.map { " from \($0)" } ?? "")")
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        SSL_set_fd(ssl, socket)
        // SNI for a name; the certificate must name the host (or the address).
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        if !isAddress { _ = driftcheck_SSL_set_tlsext_host_name(ssl, host) }
        guard SSL_set1_host(ssl, host) == 1 else { throw .tls("cannot set the expected host name") }
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                throw .tls("the server's certificate is not trusted: \(reason)")
            }
            throw .tls("the TLS handshake failed: \(Self.lastError())")
        }
    }

    deinit {
        SSL_shutdown(ssl)
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "the connection was closed or timed out" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(PushFailure) {
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, 1 << 20)
            let written = SSL_write(ssl, bytes.baseAddress! + offset, Int32(count))
            guard written > 0 else { throw .network("cannot send: \(Self.lastError())") }
            offset += Int(written)
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(PushFailure) -> Int {
        let count = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if count > 0 { return Int(count) }
        let error = SSL_get_error(ssl, count)
        if error == SSL_ERROR_ZERO_RETURN { return 0 }
        // A server that closes without close_notify (common behind proxies) ends the stream too.
        if error == SSL_ERROR_SYSCALL && errno == 0 { return 0 }
        throw .network("cannot receive: \(Self.lastError())")
    }
}
