import CInit
import InitCore

/// One HTTP exchange with a deadline, for the health check client: connect, send, read until the server closes.
enum HealthCheckExchange {
    enum Outcome: Equatable {
        /// The status code, and the `status` word of a `{"status":"…"}` body other than "ready"/"not ready".
        case answered(Int, String?)
        case invalidReply
        case timedOut
        /// Connecting (or sending) failed with this errno.
        case failed(Int32)
    }

    /// A reply never needs more: the status line and a small JSON body.
    static let replyLimit = 16 * 1024

    static func readyz(host: String, port: UInt16, deadline: Instant) -> Outcome {
        guard let address = SocketAddress(host: host, port: port) else { return .failed(EINVAL) }
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = socket(address.family, type, 0)
        if fd < 0 { return .failed(errno) }
        defer { close(fd) }

        if let failure = connect(fd, address, deadline) { return failure }
        let request =
            "GET /readyz HTTP/1.1\r\nHost: \(HealthAddress.listen(host: host, port: port))\r\n"
            + "User-Agent: pcinit-check\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        if let failure = sendAll(fd, Array(request.utf8), deadline) { return failure }
        switch receiveAll(fd, deadline) {
        case .success(let reply): return parse(reply)
        case .failure(let outcome): return outcome
        }
    }

    private static func connect(_ fd: Int32, _ address: SocketAddress, _ deadline: Instant) -> Outcome? {
        let result = address.withSockaddr { posixConnect(fd, $0, $1) }
        if result == 0 { return nil }
        guard errno == EINPROGRESS || errno == EINTR else { return .failed(errno) }
        guard wait(fd, for: POLLOUT, until: deadline) else { return .timedOut }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : .failed(error)
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8], _ deadline: Instant) -> Outcome? {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard wait(fd, for: POLLOUT, until: deadline) else { return .timedOut }
            } else {
                return .failed(errno)
            }
        }
        return nil
    }

    private enum Received {
        case success([UInt8])
        case failure(Outcome)
    }

    /// Everything until the server closes (it always does after one answer), or the limit.
    private static func receiveAll(_ fd: Int32, _ deadline: Instant) -> Received {
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while reply.count < replyLimit {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                reply += chunk[0..<count]
            } else if count == 0 {
                break
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard wait(fd, for: POLLIN, until: deadline) else {
                    // A complete head is enough to judge; a server that never finishes has timed out.
                    return HealthRequest.headEnd(in: reply) == nil ? .failure(.timedOut) : .success(reply)
                }
            } else if reply.isEmpty {
                return .failure(.failed(errno))
            } else {
                break
            }
        }
        return .success(reply)
    }

    /// "HTTP/1.x NNN reason\r\n…\r\n\r\n{"status":"…"}".
    static func parse(_ reply: [UInt8]) -> Outcome {
        let statusLine = String(
            decoding: reply.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = statusLine.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), fields[1].count == 3, let status = Int(fields[1])
        else { return .invalidReply }
        return .answered(status, statusWord(inBodyOf: reply))
    }

    /// The word of a `{"status":"stopping"}` body, when it says more than the code does.
    private static func statusWord(inBodyOf reply: [UInt8]) -> String? {
        guard let bodyStart = HealthRequest.headEnd(in: reply) else { return nil }
        let body = reply[bodyStart...]
        let marker = Array("\"status\":\"".utf8)
        guard let markerStart = body.indices.first(where: { body[$0...].starts(with: marker) }) else { return nil }
        let wordStart = markerStart + marker.count
        guard let wordEnd = body[wordStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let word = String(decoding: body[wordStart..<wordEnd], as: UTF8.self)
        return ["ready", "not ready", ""].contains(word) ? nil : word
    }

    /// Polls until `fd` is ready or the deadline passes (false).
    private static func wait(_ fd: Int32, for event: Int32, until deadline: Instant) -> Bool {
        while true {
            let left = (deadline - MonotonicClock.now()).millisecondsRoundedUp
            if left <= 0 { return false }
            var pfd = pollfd(fd: fd, events: Int16(event), revents: 0)
            let ready = poll(&pfd, 1, Int32(clamping: left))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }
}
