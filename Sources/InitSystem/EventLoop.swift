import CInit
import InitCore

/// One epoll set, fd handlers, and deadline timers. Single-threaded; sleeps with no timeout when
/// nothing is due, so an idle init makes zero wake-ups.
public final class EventLoop {
    public typealias FDHandler = (_ events: UInt32) -> Void

    public struct Watch: Hashable { fileprivate let id: UInt64 }
    public struct Timer: Hashable { fileprivate let id: UInt64 }

    private let epollFD: Int32
    private var watches: [UInt64: (fd: Int32, handler: FDHandler)] = [:]
    private var timers = DeadlineQueue<() -> Void>()
    private var nextID: UInt64 = 1
    /// False once `stop()` was called, even before `run()`.
    private var running = true

    public init() throws(SystemError) {
        epollFD = pci_epoll_create()
        if epollFD < 0 { throw SystemError("epoll_create1") }
    }

    deinit { close(epollFD) }

    /// Calls `handler` with the ready events whenever `fd` is ready for `events` (EPOLLIN, EPOLLOUT…).
    @discardableResult
    public func watch(_ fd: Int32, for events: UInt32, handler: @escaping FDHandler) throws(SystemError) -> Watch {
        let id = nextID
        nextID += 1
        var event = epoll_event(events: events, data: epoll_data_t(u64: id))
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 { throw SystemError("epoll_ctl add fd \(fd)") }
        watches[id] = (fd, handler)
        return Watch(id: id)
    }

    public func change(_ watch: Watch, to events: UInt32) {
        guard let entry = watches[watch.id] else { return }
        var event = epoll_event(events: events, data: epoll_data_t(u64: watch.id))
        epoll_ctl(epollFD, EPOLL_CTL_MOD, entry.fd, &event)
    }

    /// Stops watching (call before closing the fd). Events already collected for it are dropped.
    public func unwatch(_ watch: Watch) {
        guard let entry = watches.removeValue(forKey: watch.id) else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, entry.fd, nil)
    }

    @discardableResult
    public func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> Timer {
        let id = nextID
        nextID += 1
        timers.insert(action, at: deadline, id: id)
        return Timer(id: id)
    }

    public func cancel(_ timer: Timer) { timers.remove(id: timer.id) }

    public func stop() { running = false }

    /// Runs until `stop()`.
    public func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while running {
            runDueTimers()
            guard running else { break }
            let timeout = waitTimeoutMilliseconds()
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count < 0 {
                if errno == EINTR { continue }
                Log.error("epoll_wait: \(SystemError.describe(errno))")
                return
            }
            for event in events.prefix(Int(count)) {
                guard running else { break }
                if let entry = watches[event.data.u64] { entry.handler(event.events) }
            }
        }
        // The run is over and no handler will be called again: drop them. They hold their owners, and often
        // the loop itself, so keeping them would leave every one of those objects alive in a cycle (what
        // LeakSanitizer reported at the end of single-command mode).
        watches = [:]
        timers = DeadlineQueue()
    }

    /// Fires the timers due when it starts, earliest first, and then returns to epoll even if firing them took
    /// long enough for more to fall due: a burst of timers (hundreds of restarts after the same backoff) must
    /// not keep the loop from reaping or answering. What is due by then fires after the next epoll_wait(0).
    private func runDueTimers() {
        let now = MonotonicClock.now()
        while running, let (_, action) = timers.popDue(at: now) {
            action()
        }
    }

    /// -1 (sleep until an fd is ready) when no timer is pending.
    private func waitTimeoutMilliseconds() -> Int32 {
        guard let earliest = timers.nextDeadline() else { return -1 }
        let wait = (earliest - MonotonicClock.now()).millisecondsRoundedUp
        return Int32(clamping: wait)
    }
}
