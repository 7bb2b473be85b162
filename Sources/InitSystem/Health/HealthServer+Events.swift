import CInit
import InitCore

/// `GET /events`: the event stream as server-sent events (`text/event-stream`, one JSON object per `data:`
/// line), for a browser's `EventSource` or `curl -N`. Loopback peers only, like `/status`; each stream counts
/// against the connection cap and is never closed as idle; one that stops reading is dropped.
extension HealthServer {
    /// Bytes a stream may fall behind before it is dropped.
    static let streamBacklogLimit = 1 << 20

    var hasEventSubscribers: Bool { connections.values.contains { $0.phase == .streaming } }

    func startStream(_ connection: HealthConnection, _ serial: UInt64, snapshot: [String]) {
        connection.phase = .streaming
        connection.input = []
        // A stream has no deadline: it lasts as long as the client listens.
        if let timer = connection.deadlineTimer { loop.cancel(timer) }
        connection.deadlineTimer = nil
        var text = "HTTP/1.1 200 OK\r\nContent-Type: \(HealthResponse.eventStreamType)\r\nCache-Control: no-cache\r\n"
        text += "Connection: close\r\n\r\n"
        for event in snapshot { text += Self.eventFrame(event) }
        connection.output = Array(text.utf8)
        connection.written = 0
        flushStream(connection, serial)
    }

    /// Sends one event to every stream.
    public func publishEvent(_ json: String) {
        let frame = Array(Self.eventFrame(json).utf8)
        for (serial, connection) in connections where connection.phase == .streaming {
            if connection.output.count - connection.written > Self.streamBacklogLimit {
                Log.debug("health: dropping an /events client that stopped reading")
                finish(serial)
                continue
            }
            connection.output += frame
            flushStream(connection, serial)
        }
    }

    static func eventFrame(_ json: String) -> String { "data: \(json)\n\n" }

    func stream(_ events: UInt32, _ connection: HealthConnection, _ serial: UInt64) {
        if events & UInt32(EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 {
            // A client of a stream has nothing to say: anything it sends is ignored, EOF ends the stream.
            var chunk = [UInt8](repeating: 0, count: 512)
            let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                finish(serial)
                return
            }
        }
        if events & UInt32(EPOLLOUT.rawValue) != 0 { flushStream(connection, serial) }
    }

    private func flushStream(_ connection: HealthConnection, _ serial: UInt64) {
        while connection.written < connection.output.count {
            let sent = connection.output.withUnsafeBytes { bytes in
                send(
                    connection.fd, bytes.baseAddress! + connection.written, bytes.count - connection.written,
                    Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                finish(serial)
                return
            }
            connection.written += sent
        }
        if connection.written == connection.output.count {
            connection.output = []
            connection.written = 0
        } else if connection.written > 65536 {
            connection.output.removeFirst(connection.written)
            connection.written = 0
        }
        let wanted = UInt32(EPOLLIN.rawValue) | (connection.output.isEmpty ? 0 : UInt32(EPOLLOUT.rawValue))
        if let watch = connection.watch { loop.change(watch, to: wanted) }
    }
}
