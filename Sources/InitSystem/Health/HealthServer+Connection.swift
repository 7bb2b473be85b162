import CInit
import InitCore

/// One client's life: read the head, answer, shut down our side, drain, close.
extension HealthServer {
    /// Bytes read per wake-up; a request head fits in one or two.
    static let readChunk = 4096
    /// What draining may discard before the server stops being polite and closes.
    static let drainLimit = 64 * 1024

    func handle(_ events: UInt32, on serial: UInt64) {
        guard let connection = connections[serial] else { return }
        if events & UInt32(EPOLLERR.rawValue) != 0 {
            finish(serial)
            return
        }
        switch connection.phase {
        case .reading: readRequest(connection, serial)
        case .writing: writeAnswer(connection, serial)
        case .draining: drain(connection, serial)
        case .streaming: stream(events, connection, serial)
        }
    }

    private func readRequest(_ connection: HealthConnection, _ serial: UInt64) {
        var chunk = [UInt8](repeating: 0, count: HealthServer.readChunk)
        let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            finish(serial)
            return
        }
        if count == 0 {
            // The client gave up (or half-closed) before finishing its head: nobody to answer.
            finish(serial)
            return
        }
        connection.input += chunk[0..<count]
        let end = HealthRequest.headEnd(in: connection.input, from: connection.searched)
        connection.searched = max(0, connection.input.count - 3)
        if let end, end <= limits.maxRequestBytes {
            respond(connection, serial, head: connection.input[0..<end])
        } else if connection.input.count > limits.maxRequestBytes {
            answer(connection, serial, .error(431))
        }
    }

    private func respond(_ connection: HealthConnection, _ serial: UInt64, head: ArraySlice<UInt8>) {
        guard let request = HealthRequest.parse(head: head) else {
            answer(connection, serial, .error(400))
            return
        }
        guard let source else {
            // The runtime is gone: pcinit is on its way out.
            answer(connection, serial, .json(503, "{\"status\":\"stopping\"}\n"))
            return
        }
        if request.path == "/events", request.method == "GET", connection.peerIsLoopback,
            let snapshot = source.eventSnapshot()
        {
            startStream(connection, serial, snapshot: snapshot)
            return
        }
        answer(
            connection, serial,
            HealthRoutes.respond(to: request, peerIsLoopback: connection.peerIsLoopback, source: source))
    }

    private func answer(_ connection: HealthConnection, _ serial: UInt64, _ response: HealthResponse) {
        connection.phase = .writing
        connection.input = []
        connection.output = response.bytes
        writeAnswer(connection, serial)
    }

    private func writeAnswer(_ connection: HealthConnection, _ serial: UInt64) {
        while connection.written < connection.output.count {
            let sent = connection.output.withUnsafeBytes { bytes in
                send(
                    connection.fd, bytes.baseAddress! + connection.written, bytes.count - connection.written,
                    Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    if let watch = connection.watch { loop.change(watch, to: UInt32(EPOLLOUT.rawValue)) }
                    return
                }
                finish(serial)
                return
            }
            connection.written += sent
        }
        startDraining(connection, serial)
    }

    private func startDraining(_ connection: HealthConnection, _ serial: UInt64) {
        connection.phase = .draining
        connection.output = []
        shutdown(connection.fd, Int32(SHUT_WR))
        if let watch = connection.watch { loop.change(watch, to: UInt32(EPOLLIN.rawValue)) }
        let lingerEnd = MonotonicClock.now() + limits.linger
        if lingerEnd < connection.deadline {
            if let timer = connection.deadlineTimer { loop.cancel(timer) }
            connection.deadline = lingerEnd
            connection.deadlineTimer = loop.schedule(at: lingerEnd) { [self] in self.finish(serial) }
        }
        drain(connection, serial)
    }

    private func drain(_ connection: HealthConnection, _ serial: UInt64) {
        var chunk = [UInt8](repeating: 0, count: HealthServer.readChunk)
        let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
        connection.drained += max(0, count)
        if count <= 0 || connection.drained > HealthServer.drainLimit { finish(serial) }
    }
}
