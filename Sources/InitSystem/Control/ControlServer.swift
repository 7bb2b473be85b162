import CInit
import InitCore

/// The control socket's listener: a unix stream socket (mode 0600, so only root — or whoever runs
/// pcinit — can control it) watched by the event loop. Each request line goes to `handler` with the
/// connection to answer on; the handler may answer at once or keep the connection (logs follow).
public final class ControlServer {
    /// Bounds that keep a misbehaving or hostile client from costing more than a little memory.
    public struct Limits: Sendable {
        public var maxConnections = 64
        /// Longest request line; a longer one gets an error and the connection is closed.
        public var maxLineBytes = 65536
        /// A follower whose unwritten output passes this is dropped (it stopped reading).
        public var maxQueuedBytes = 1 << 20
        /// No further requests are read from a connection while this much output waits for it.
        public var readPauseBytes = 65536

        public init() {}
    }

    public let path: String
    private let loop: EventLoop
    private let limits: Limits
    /// Dropped by `close`: it usually reaches the runtime that owns this server.
    private var handler: ((ControlRequest, ControlConnection) -> Void)?
    private var fd: Int32 = -1
    private var watch: EventLoop.Watch?
    private var identity: (dev_t, ino_t)?
    /// Keyed by accept order: the smallest key is the oldest connection.
    private var connections: [UInt64: ControlConnection] = [:]
    private var nextSerial: UInt64 = 0
    private var acceptRetry: EventLoop.Timer?
    /// Given up to accept one more client when the process is out of descriptors.
    private let reserve: DescriptorReserve?

    /// Creates the socket (unlinks a stale socket file first — only if nothing answers on it; refuses if
    /// another pcinit is live there), chmod 0600, listens, watches in `loop`.
    public init(
        loop: EventLoop, path: String, limits: Limits = Limits(), reserve: DescriptorReserve? = nil,
        handler: @escaping (ControlRequest, ControlConnection) -> Void
    ) throws(SystemError) {
        self.loop = loop
        self.path = path
        self.limits = limits
        self.reserve = reserve
        self.handler = handler
        let (address, length) = try UnixSocket.address(path)
        try UnixSocket.clearStale(path)
        fd = try UnixSocket.make(nonblocking: true)
        do throws(SystemError) {
            try bind(address, length)
            if listen(fd, 64) != 0 { throw SystemError("listen on \(path)") }
            watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in acceptPending() }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Open client connections.
    public var connectionCount: Int { connections.count }

    /// Unwatches, closes every connection, and unlinks the socket file (if it is still the one bound here).
    public func close() {
        if let acceptRetry { loop.cancel(acceptRetry) }
        acceptRetry = nil
        if let watch { loop.unwatch(watch) }
        watch = nil
        for connection in Array(connections.values) { connection.close() }
        connections = [:]
        handler = nil
        guard fd >= 0 else { return }
        posixClose(fd)
        fd = -1
        if let identity, let current = UnixSocket.identity(path), current == identity { unlink(path) }
        identity = nil
    }

    private func bind(_ address: sockaddr_un, _ length: socklen_t) throws(SystemError) {
        var address = address
        // The umask makes the file 0600 from birth: no window in which anyone else could connect.
        let savedMask = umask(0o177)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { CInit.bind(fd, $0, length) }
        }
        let bindErrno = errno
        umask(savedMask)
        if result != 0 { throw SystemError("bind \(path)", errno: bindErrno) }
        identity = UnixSocket.identity(path)
        if chmod(path, 0o600) != 0 { throw SystemError("chmod 0600 \(path)") }
    }

    private func acceptPending() {
        // Bounded per wake-up; level-triggered epoll calls again for the rest.
        for _ in 0..<16 {
            let client = pci_accept4(fd, nil, nil)
            if client >= 0 {
                admit(client)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors, the spare lets this one operator in; the next failure pauses.
                if errno == EMFILE || errno == ENFILE, reserve?.lend() == true { continue }
                // The pending connection stays queued and would wake us forever: pause accepting briefly.
                Log.warning("control socket: cannot accept: \(SystemError.describe(errno)); retrying shortly")
                pauseAccepting()
                return
            default:
                Log.warning("control socket: accept: \(SystemError.describe(errno))")
                return
            }
        }
    }

    /// At the cap the oldest idle connection makes room (a script that leaks connections must not lock the
    /// operator out); followers and connections with a request in progress are busy and never evicted.
    private func admit(_ client: Int32) {
        if connections.count >= limits.maxConnections {
            guard let oldestIdle = connections.filter({ $0.value.isIdle }).keys.min() else {
                refuse(client)
                return
            }
            Log.debug("control socket: at \(limits.maxConnections) connections, closing the oldest idle one")
            connections[oldestIdle]?.close()
        }
        let serial = nextSerial
        nextSerial += 1
        do throws(SystemError) {
            guard let handler else { return posixClose(client) }
            let connection = try ControlConnection(
                fd: client, id: serial, loop: loop, limits: limits, handler: handler)
            // Called once, from the connection's close, which then lets go of it: no cycle outlives the connection.
            connection.onRemoved = { [self] _ in
                connections[serial] = nil
                reserve?.refill()
            }
            connections[serial] = connection
        } catch {
            Log.warning("control socket: \(error)")
            posixClose(client)
        }
    }

    private func refuse(_ client: Int32) {
        let busy = ControlMessage.error(
            ControlError(code: ControlError.applicationError, message: "too many control connections; try again"))
        var line = busy.line
        _ = line.withUTF8 { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        posixClose(client)
        reserve?.refill()
    }

    private func pauseAccepting() {
        guard let watch, acceptRetry == nil else { return }
        loop.change(watch, to: 0)
        acceptRetry = loop.schedule(at: MonotonicClock.now() + .milliseconds(250)) { [self] in
            acceptRetry = nil
            if let watch = self.watch { loop.change(watch, to: UInt32(EPOLLIN.rawValue)) }
        }
    }
}
