import Glibc

/// One HTTP/1.1 request to the collector and its answer, over a new connection (plain or TLS) that closes after it:
/// a host pushes a few times an hour, so nothing is gained by keeping connections. Every step is bounded by
/// `timeout` seconds, and the answer by 1 MiB.
struct HTTPClient {
    var url: CollectorURL
    /// Trusted certificates for an https collector (PEM); nil: the system's trust store.
    var caFile: String?
    var timeout = 30

    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// Answered by the collector itself (it marks every answer with `Driftcheck-Collector`), not by a proxy.
        var isFromCollector: Bool { headers.contains { $0.name == "driftcheck-collector" } }

        /// The Content-Length the server declared, if any (and no chunked encoding).
        var declaredLength: Int? {
            guard !headers.contains(where: { $0.name == "transfer-encoding" }) else { return nil }
            return headers.first { $0.name == "content-length" }.flatMap { Int($0.value) }
        }

        /// The body's first line, cleaned for a terminal: the collector's one-line reason.
        var reason: String {
            let line = body.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
            return TerminalText.clean(String(decoding: line.prefix(300), as: UTF8.self))
        }
    }

    static let maximumResponse = 1 << 20

    /// POSTs `body` to `path` (below the URL's prefix) with `headers`. A peer that closes early is an error, never
    /// a SIGPIPE (ignored from here on: OpenSSL writes with plain write(2)).
    func post(_ path: String, headers: [(String, String)], body: [UInt8]) throws(PushFailure) -> Response {
        var head = "POST \(url.prefix)\(path) HTTP/1.1\r\nHost: \(url.hostHeader)\r\n"
        head += "User-Agent: driftcheck/\(HostInfo.toolVersion)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        signal(SIGPIPE, SIG_IGN)
        let socket = try connect()
        defer { close(socket) }
        let tls = url.secure ? try TLSSession(socket: socket, host: url.host, caFile: caFile) : nil
        let request = Array(head.utf8) + body
        try request.withUnsafeBytes { raw in
            Result { () throws(PushFailure) in
                if let tls { try tls.write(raw) } else { try Self.writeAll(socket, raw) }
            }
        }.get()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // The whole answer within the timeout too: a server trickling a byte now and then does not hold check.
        let deadline = Int(time(nil)) + timeout
        while received.count <= Self.maximumResponse {
            guard Int(time(nil)) <= deadline else {
                throw .network("\(url) did not finish answering within \(timeout) s")
            }
            let count = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(PushFailure) -> Int in
                    if let tls { return try tls.read(into: raw) }
                    let result = recv(socket, raw.baseAddress, raw.count, 0)
                    if result < 0 {
                        if errno == EINTR { return -1 }
                        throw .network("cannot receive from \(url): \(String(cString: strerror(errno)))")
                    }
                    return result
                }
            }.get()
            if count == 0 { break }
            if count > 0 { received += buffer[0..<count] }
            // A whole answer with its length read: done, even if the server keeps the connection open.
            if let response = try? Self.parse(received, from: url), let length = response.declaredLength,
                response.body.count >= length
            {
                return response
            }
        }
        return try Self.parse(received, from: url)
    }

    private static func writeAll(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) throws(PushFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written < 0 {
                if errno == EINTR { continue }
                throw .network("cannot send: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// A connected socket to the URL's host, trying each address it resolves to; connecting, sending and receiving
    /// each time out after `timeout` seconds.
    private func connect() throws(PushFailure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let resolved = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard resolved == 0, let list else {
            throw .network("cannot resolve \(TerminalText.clean(url.host)): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            let socket = Glibc.socket(
                current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socket >= 0 else { continue }
            if let error = connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) {
                lastError = error
                close(socket)
                continue
            }
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            return socket
        }
        throw .network("cannot connect to \(url): \(lastError)")
    }

    /// Connects `socket` within the timeout (non-blocking connect, then poll); nil on success, else why not.
    private func connect(_ socket: Int32, _ address: UnsafeMutablePointer<sockaddr>!, _ length: socklen_t) -> String? {
        let flags = fcntl(socket, F_GETFL)
        _ = fcntl(socket, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(socket, address, length) != 0 {
            guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
            var entry = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat { ready = poll(&entry, 1, Int32(timeout * 1000)) } while ready < 0 && errno == EINTR
            guard ready > 0 else { return "timed out after \(timeout) s" }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else { return String(cString: strerror(error)) }
        }
        _ = fcntl(socket, F_SETFL, flags)
        return nil
    }

    /// Parses a whole response: status line, headers, and a body by Content-Length, chunked, or to the end.
    static func parse(_ bytes: [UInt8], from url: CollectorURL) throws(PushFailure) -> Response {
        guard let headEnd = bytes.withUnsafeBytes({ $0.firstOffset(of: Array("\r\n\r\n".utf8)) }) else {
            throw bytes.isEmpty
                ? .network("\(url) closed the connection without answering")
                : .protocolError("\(url) did not answer with HTTP")
        }
        let lines = bytes[0..<headEnd].split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
        }
        let statusWords = lines[0].split(separator: " ", maxSplits: 2)
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let status = Int(statusWords[1]),
            (100...599).contains(status)
        else { throw .protocolError("\(url) did not answer with HTTP") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((line[..<colon].lowercased(), String(value)))
        }
        var body = Array(bytes[(headEnd + 4)...])
        if headers.contains(where: { $0.name == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
            body = try dechunk(body, from: url)
        } else if let length = headers.first(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }),
            length >= 0, length <= body.count
        {
            body = Array(body[0..<length])
        }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8], from url: CollectorURL) throws(PushFailure) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            guard let lineEnd = bytes[offset...].withUnsafeBytes({ $0.firstOffset(of: Array("\r\n".utf8)) }) else {
                break
            }
            let sizeText = String(decoding: bytes[offset..<(offset + lineEnd)], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size >= 0 else {
                throw .protocolError("\(url) sent a malformed chunked body")
            }
            offset += lineEnd + 2
            if size == 0 { break }
            guard size <= bytes.count - offset else { throw .protocolError("\(url) sent a truncated chunked body") }
            output += bytes[offset..<(offset + size)]
            offset += size + 2
        }
        return output
    }
}
