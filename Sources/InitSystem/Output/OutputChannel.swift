import CInit

/// pcinit's stdout or stderr, written from the event loop without ever blocking it on a slow reader.
/// Text queues up and goes out in pipe-atomic chunks when the fd is writable; while the queue is over its
/// bound the relays stop reading service pipes, so services feel the backpressure, not pcinit's memory.
/// Files and /dev/null (which epoll cannot watch) are written directly.
public final class OutputChannel {
    /// Above this many queued bytes the channel counts as congested.
    static let congestionBytes = 256 * 1024
    /// Pipe writes up to PIPE_BUF are atomic and, once epoll says writable, complete without blocking.
    static let chunkBytes = 4096

    public let fd: Int32
    /// For a pipe: an empty pipe has every slot free, so a write of its whole capacity cannot block.
    private let pipeCapacity: Int
    private let loop: EventLoop
    private var queue: [UInt8] = []
    private var sent = 0
    private var watch: EventLoop.Watch?
    private var pollable: Bool
    private var waiters: [() -> Void] = []

    public init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        var status = stat()
        fstat(fd, &status)
        let kind = FileKind(mode: status.st_mode)
        pollable = kind == .fifo || kind == .socket || kind == .characterDevice && isatty(fd) != 0
        pipeCapacity = kind == .fifo ? Int(max(0, pci_pipe_capacity(fd))) : 0
    }

    /// How much may be written now without blocking, given that poll said writable: pipe writes up to
    /// PIPE_BUF are atomic and fit the free slot poll promised; an empty pipe takes its whole capacity.
    private func writableBytes() -> Int {
        var queued: Int32 = 0
        if pipeCapacity > Self.chunkBytes && pci_ioctl_pointer(fd, UInt(FIONREAD), &queued) == 0 && queued == 0 {
            return pipeCapacity
        }
        return Self.chunkBytes
    }

    public var isCongested: Bool { queue.count - sent > Self.congestionBytes }

    /// Calls `body` once the channel is no longer congested.
    public func whenDrained(_ body: @escaping () -> Void) {
        if isCongested { waiters.append(body) } else { body() }
    }

    public func write(_ bytes: some Collection<UInt8>) {
        guard pollable else {
            Array(bytes).withUnsafeBufferPointer { Log.writeAll(fd: fd, $0) }
            return
        }
        queue.append(contentsOf: bytes)
        flushAvailable()
    }

    /// Writes everything still queued, waiting as long as needed: used once, when pcinit exits.
    public func flushBlocking() {
        guard sent < queue.count else { return }
        queue[sent...].withUnsafeBufferPointer { Log.writeAll(fd: fd, $0) }
        queue.removeAll()
        sent = 0
    }

    private func flushAvailable() {
        while sent < queue.count {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pfd, 1, 0) == 1, pfd.revents & Int16(POLLOUT) != 0 else { break }
            let end = min(queue.count, sent + writableBytes())
            let n = queue[sent..<end].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                sent += n
            } else if n < 0 && errno != EINTR && errno != EAGAIN {
                queue.removeAll()  // the reader is gone (EPIPE): drop output rather than grow forever
                sent = 0
                break
            }
        }
        if sent == queue.count {
            queue.removeAll(keepingCapacity: queue.count < 1 << 20)
            sent = 0
        } else if sent > 1 << 20 {
            queue.removeFirst(sent)
            sent = 0
        }
        updateWatch()
        if !isCongested && !waiters.isEmpty {
            let ready = waiters
            waiters.removeAll()
            for body in ready { body() }
        }
    }

    private func updateWatch() {
        let pending = sent < queue.count
        if pending && watch == nil {
            do {
                watch = try loop.watch(fd, for: UInt32(EPOLLOUT.rawValue)) { [self] _ in self.flushAvailable() }
            } catch {
                pollable = false  // epoll refuses this fd: fall back to plain writes
                flushBlocking()
            }
        } else if !pending, let current = watch {
            loop.unwatch(current)
            watch = nil
        }
    }
}
