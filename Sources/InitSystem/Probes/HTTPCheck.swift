import CInit

/// An http_get check: an HTTP/1.0 GET over a non-blocking connection; success when the status code is the
/// expected one. Only the status line is read, so a large or slow body costs nothing.
final class HTTPCheck: RunningCheck {
    struct Request {
        var host: String
        var port: Int
        var path: String
        var scheme: String
        var headers: [String: String]
        /// 0 or less: any 2xx or 3xx, as Kubernetes counts success.
        var expectedStatus: Int

        /// Why this request cannot be sent, or nil.
        var problem: String? {
            switch scheme.lowercased() {
            case "http", "": break
            case "https": return "https not supported"
            default: return "unsupported scheme \(scheme)"
            }
            if path.contains(where: { $0.isNewline || $0 == " " || $0 == "\t" }) {
                return "invalid path \(path.debugDescription)"
            }
            for (name, value) in headers {
                // A CR or LF would let a header smuggle in more headers or a second request.
                if name.isEmpty || name.contains(where: { $0.isNewline || $0 == ":" || $0 == " " })
                    || value.contains(where: { $0.isNewline })
                {
                    return "invalid header \(name.debugDescription)"
                }
            }
            return nil
        }

        /// The request's bytes. Headers from the probe replace pcinit's Host and User-Agent.
        var text: String {
            let target = path.isEmpty ? "/" : (path.hasPrefix("/") ? path : "/" + path)
            let names = Set(headers.keys.map { $0.lowercased() })
            var lines = ["GET \(target) HTTP/1.0"]
            if !names.contains("host") { lines.append("Host: \(hostHeader)") }
            for name in headers.keys.sorted() { lines.append("\(name): \(headers[name]!)") }
            if !names.contains("connection") { lines.append("Connection: close") }
            if !names.contains("user-agent") { lines.append("User-Agent: pcinit") }
            return lines.joined(separator: "\r\n") + "\r\n\r\n"
        }

        private var hostHeader: String {
            let name = host.isEmpty ? "127.0.0.1" : host
            // A bare IPv6 literal needs brackets before the port.
            let bracketed = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
            return "\(bracketed):\(port)"
        }

        func isSuccess(_ status: Int) -> Bool {
            expectedStatus > 0 ? status == expectedStatus : (200..<400).contains(status)
        }
    }

    /// Bytes read while looking for the end of the status line.
    static let responseCap = 8192

    private let request: Request
    private let dial: TCPDial
    private var report: ((Bool, String) -> Void)?
    private var unsent: [UInt8] = []
    private var received: [UInt8] = []
    private var connection: TCPConnection? { dial.connection }

    private init(request: Request, dial: TCPDial, report: @escaping (Bool, String) -> Void) {
        self.request = request
        self.dial = dial
        self.report = report
        unsent = Array(request.text.utf8)
    }

    static func start(
        loop: EventLoop, resolver: HostResolver, request: Request, report: @escaping (Bool, String) -> Void
    ) -> HTTPCheck? {
        if let problem = request.problem {
            report(false, problem)
            return nil
        }
        let dial = TCPDial(loop: loop, resolver: resolver, host: request.host, port: request.port)
        let check = HTTPCheck(request: request, dial: dial, report: report)
        dial.start { failure in
            if let failure { return check.finish(false, failure) }
            check.sendRequest()
        }
        return check
    }

    var pendingStage: String? { dial.stage }

    func stop() {
        report = nil
        dial.close()
    }

    private func finish(_ success: Bool, _ detail: String) {
        dial.close()
        guard let report else { return }
        self.report = nil
        report(success, detail)
    }

    private func sendRequest() {
        guard let connection else { return }
        while !unsent.isEmpty {
            // MSG_NOSIGNAL: a peer that closed early must fail the check, not raise SIGPIPE.
            let sent = unsent.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 {
                unsent.removeFirst(sent)
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                let watchFailure = connection.setWatch(UInt32(EPOLLOUT.rawValue)) { [self] _ in sendRequest() }
                if let watchFailure { finish(false, watchFailure) }
                return
            } else {
                return finish(
                    false, "sending request to \(connection.peer.description): \(SystemError.describe(errno))")
            }
        }
        let watchFailure = connection.setWatch(UInt32(EPOLLIN.rawValue)) { [self] _ in readResponse() }
        if let watchFailure { finish(false, watchFailure) }
    }

    private func readResponse() {
        guard let connection else { return }
        var chunk = [UInt8](repeating: 0, count: HTTPCheck.responseCap - received.count)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk.prefix(count)
                if let end = received.firstIndex(of: UInt8(ascii: "\n")) {
                    return judge(statusLine: received[..<end])
                }
                if received.count >= HTTPCheck.responseCap {
                    return finish(false, "no status line in the first \(HTTPCheck.responseCap) bytes")
                }
                chunk = [UInt8](repeating: 0, count: HTTPCheck.responseCap - received.count)
            } else if count == 0 {
                if received.isEmpty { return finish(false, "connection closed without a response") }
                return judge(statusLine: received[...])
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                return finish(
                    false, "reading response from \(connection.peer.description): \(SystemError.describe(errno))")
            }
        }
    }

    private func judge(statusLine bytes: ArraySlice<UInt8>) {
        switch HTTPCheck.statusCode(of: bytes) {
        case .some(let status) where request.isSuccess(status):
            finish(true, "HTTP \(status)")
        case .some(let status):
            let expected = request.expectedStatus > 0 ? "\(request.expectedStatus)" : "2xx or 3xx"
            finish(false, "HTTP \(status), expected \(expected)")
        case .none:
            let line = String(decoding: bytes.prefix(80), as: UTF8.self)
            finish(false, "malformed status line \(line.debugDescription)")
        }
    }

    /// The code from `HTTP/1.x NNN reason`, or nil if the line is not a status line.
    static func statusCode(of line: ArraySlice<UInt8>) -> Int? {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].count == 3,
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let status = Int(parts[1])
        else { return nil }
        return status
    }
}
