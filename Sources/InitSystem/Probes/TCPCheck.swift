import CInit

/// A non-blocking TCP client socket on the event loop: connect, then whatever the caller watches for.
final class TCPConnection {
    private let loop: EventLoop
    private(set) var fd: Int32 = -1
    let peer: SocketAddress
    private var watch: EventLoop.Watch?

    /// Creates the socket; the connect itself starts in `connect(_:)`.
    init(loop: EventLoop, peer: SocketAddress) throws(SystemError) {
        self.loop = loop
        self.peer = peer
        fd = socket(peer.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError("socket") }
    }

    deinit { close() }

    /// Connects without blocking; `done(nil)` once connected, `done(reason)` if it failed. `done` runs on
    /// a later loop turn unless the kernel answered at once (then before `connect` returns).
    func connect(_ done: @escaping (String?) -> Void) {
        let result = peer.withSockaddr { posixConnect(fd, $0, $1) }
        if result == 0 { return done(nil) }
        // On loopback even a refused connect may start as EINPROGRESS and fail later through SO_ERROR.
        guard errno == EINPROGRESS || errno == EINTR else { return done(failure(errno)) }
        let watchFailure = setWatch(UInt32(EPOLLOUT.rawValue)) { [self] _ in
            unwatch()
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 { error = errno }
            done(error == 0 ? nil : failure(error))
        }
        if let watchFailure { done(watchFailure) }
    }

    /// Replaces the current watch (if any) with one for `events`. Returns why watching failed, or nil.
    func setWatch(_ events: UInt32, handler: @escaping EventLoop.FDHandler) -> String? {
        unwatch()
        do {
            watch = try loop.watch(fd, for: events, handler: handler)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func unwatch() {
        if let watch { loop.unwatch(watch) }
        watch = nil
    }

    /// Idempotent; also aborts a connect in flight.
    func close() {
        guard fd >= 0 else { return }
        unwatch()
        posixClose(fd)
        fd = -1
    }

    private func failure(_ code: Int32) -> String { "connect to \(peer.description): \(SystemError.describe(code))" }
}

/// A tcp check: success once a connection to host:port is established; the connection is closed at once.
final class TCPCheck: RunningCheck {
    private let dial: TCPDial
    private var report: ((Bool, String) -> Void)?

    private init(dial: TCPDial, report: @escaping (Bool, String) -> Void) {
        self.dial = dial
        self.report = report
    }

    static func start(
        loop: EventLoop, resolver: HostResolver, host: String, port: Int, report: @escaping (Bool, String) -> Void
    ) -> TCPCheck {
        let check = TCPCheck(dial: TCPDial(loop: loop, resolver: resolver, host: host, port: port), report: report)
        check.dial.start { failure in check.connected(failure) }
        return check
    }

    var pendingStage: String? { dial.stage }

    private func connected(_ failure: String?) {
        let peer = dial.connection?.peer.description
        dial.close()
        guard let report else { return }
        self.report = nil
        if let failure {
            report(false, failure)
        } else {
            report(true, "connected to \(peer ?? "?")")
        }
    }

    func stop() {
        report = nil
        dial.close()
    }
}
