import CInit
import InitCore

/// The HTTP health listener, served from the init's event loop. Nothing here blocks: every socket is
/// non-blocking, each client has a size cap and a deadline, and the number of open clients is bounded, so a
/// hostile or broken client can never stall reaping or the loop.
public final class HealthServer {
    public struct Limits: Sendable {
        /// Open client connections; a new one beyond this closes the oldest idle one (or itself).
        public var maxConnections: Int
        /// Bytes of request head; more before the blank line gets 431.
        public var maxRequestBytes: Int
        /// From accept to the end of the answer; a slow (or silent) client is closed when it passes.
        public var deadline: Duration
        /// After the answer, how long to wait for the client to close before closing anyway.
        public var linger: Duration

        public init(
            maxConnections: Int = 256, maxRequestBytes: Int = 8192, deadline: Duration = .seconds(5),
            linger: Duration = .seconds(1)
        ) {
            self.maxConnections = maxConnections
            self.maxRequestBytes = maxRequestBytes
            self.deadline = deadline
            self.linger = linger
        }
    }

    /// Accepts taken per wake-up, so a connection flood shares the loop with reaping and timers.
    static let acceptBatch = 64
    /// How long accepting pauses when the process is out of descriptors (accept would fail at once, forever).
    static let descriptorPause = Duration.milliseconds(100)

    let loop: EventLoop
    /// What the answers come from: usually the runtime that owns this server, so `close` lets go of it.
    var source: HealthSource?
    let limits: Limits
    /// Given up to accept one more client when the process is out of descriptors.
    let reserve: DescriptorReserve?
    private var listenFD: Int32
    private var listenWatch: EventLoop.Watch?
    private var resumeTimer: EventLoop.Timer?
    /// Keyed by accept order: the smallest key is the oldest connection.
    var connections: [UInt64: HealthConnection] = [:]
    private var nextSerial: UInt64 = 0
    private var warnedAboutDescriptors = false
    public let boundPort: UInt16

    /// Binds and listens (for "::": an IPv6 socket with IPV6_V6ONLY=0, dual stack; if IPv6 is unavailable, falls
    /// back to 0.0.0.0 with a debug log). SO_REUSEADDR. Throws for `.off`: the caller runs no server then.
    public init(
        loop: EventLoop, address: HealthAddress, source: HealthSource, limits: Limits = Limits(),
        reserve: DescriptorReserve? = nil
    ) throws(SystemError) {
        guard case .listen(let host, let port) = address else {
            throw SystemError("health listener is off", errno: EINVAL)
        }
        self.loop = loop
        self.source = source
        self.limits = limits
        self.reserve = reserve
        listenFD = try HealthListenSocket.open(host: host, port: port)
        boundPort = SocketAddress.local(of: listenFD)?.port ?? port
        do throws(SystemError) {
            listenWatch = try loop.watch(listenFD, for: UInt32(EPOLLIN.rawValue)) { [self] _ in
                self.acceptPending()
            }
        } catch {
            posixClose(listenFD)
            throw error
        }
    }

    deinit { close() }

    /// Stops listening and closes every client. Safe to call twice.
    public func close() {
        if let listenWatch { loop.unwatch(listenWatch) }
        listenWatch = nil
        if let resumeTimer { loop.cancel(resumeTimer) }
        resumeTimer = nil
        if listenFD >= 0 { posixClose(listenFD) }
        listenFD = -1
        for serial in Array(connections.keys) { finish(serial) }
        source = nil
    }

    // MARK: - Accepting

    private func acceptPending() {
        for _ in 0..<HealthServer.acceptBatch {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutableBytes(of: &storage) { raw in
                pci_accept4(listenFD, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
            if fd >= 0 {
                warnedAboutDescriptors = false
                admit(fd, peer: SocketAddress(storage: storage, length: length))
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK:
                return
            case EMFILE, ENFILE:
                // The spare descriptor lets this one client in; the next failure pauses.
                if let reserve, reserve.lend() { continue }
                pauseAccepting(errno)
                return
            case ENOBUFS, ENOMEM:
                pauseAccepting(errno)
                return
            default:
                // EINTR, ECONNABORTED and the network errors accept(2) passes on from a dead handshake: next one.
                continue
            }
        }
    }

    private func admit(_ fd: Int32, peer: SocketAddress) {
        if connections.count >= limits.maxConnections {
            // Accept-and-close rather than leave it queued: a full backlog would keep the listener readable and
            // the loop spinning.
            guard let oldestIdle = connections.filter({ $0.value.isIdle }).keys.min() else {
                posixClose(fd)
                return
            }
            finish(oldestIdle)
        }
        let serial = nextSerial
        nextSerial += 1
        let connection = HealthConnection(
            fd: fd, peerIsLoopback: peer.isLoopback, deadline: MonotonicClock.now() + limits.deadline)
        do {
            connection.watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [self] events in
                self.handle(events, on: serial)
            }
        } catch {
            posixClose(fd)
            return
        }
        connections[serial] = connection
        connection.deadlineTimer = loop.schedule(at: connection.deadline) { [self] in self.finish(serial) }
    }

    /// Out of descriptors: free one (the oldest idle client), stop watching the listener for a moment, then retry.
    private func pauseAccepting(_ code: Int32) {
        if !warnedAboutDescriptors {
            Log.warning("health: accept: \(SystemError.describe(code)); pausing the listener")
            warnedAboutDescriptors = true
        }
        if let oldestIdle = connections.filter({ $0.value.isIdle }).keys.min() { finish(oldestIdle) }
        guard let listenWatch, resumeTimer == nil else { return }
        loop.change(listenWatch, to: 0)
        resumeTimer = loop.schedule(at: MonotonicClock.now() + HealthServer.descriptorPause) { [self] in
            self.resumeTimer = nil
            if let listenWatch = self.listenWatch { self.loop.change(listenWatch, to: UInt32(EPOLLIN.rawValue)) }
        }
    }

    /// Closes a client and forgets it.
    func finish(_ serial: UInt64) {
        guard let connection = connections.removeValue(forKey: serial) else { return }
        if let watch = connection.watch { loop.unwatch(watch) }
        if let timer = connection.deadlineTimer { loop.cancel(timer) }
        posixClose(connection.fd)
        reserve?.refill()
    }
}
