import Foundation
import Glibc

/// Waits for one child of the test process on a thread of its own, blocked in the kernel, and records how
/// and when it ended: the end is stamped the moment the kernel reports it, however busy the test process's
/// async threads are, and awaiting it polls nothing.
///
/// The waiter owns the reap. It first waits without reaping (`waitid(WNOWAIT)`), stamps the time, then reaps
/// under the lock; so while `whileRunning` holds the lock and sees no outcome, the pid is still this child's
/// (alive or a zombie) and can be signalled safely: it cannot have been reused. Only this pid is ever waited
/// for: tests run in parallel in one process, and a `waitpid(-1)` would steal other tests' children.
final class ChildWaiter: @unchecked Sendable {
    enum Outcome: Sendable {
        /// How and when it ended: on the test's monotonic clock and as seconds since the epoch (to compare
        /// with `date +%s.%N` stamps written by services).
        case ended(Termination, at: ContinuousClock.Instant, epochSeconds: Double)
        /// Someone else reaped it (a `waitpid(-1)` elsewhere in the test process).
        case lost
    }

    let pid: pid_t
    private let lock = NSLock()
    private var outcome: Outcome?
    private var awaiting: [UInt64: CheckedContinuation<Outcome?, Never>] = [:]
    private var nextID: UInt64 = 0

    init(pid: pid_t) {
        self.pid = pid
        let thread = Thread { [self] in waitForEnd() }
        thread.name = "wait \(pid)"
        thread.start()
    }

    /// The outcome once the child has ended (and been reaped), nil while it runs.
    var current: Outcome? { lock.withLock { outcome } }

    /// Runs `body` while the child has not been reaped, with the reap held off meanwhile; false if it was.
    @discardableResult
    func whileRunning(_ body: () -> Void) -> Bool {
        lock.withLock {
            guard outcome == nil else { return false }
            body()
            return true
        }
    }

    /// The outcome once the child ends, or nil if `timeout` passes first.
    func end(within timeout: Duration) async -> Outcome? {
        await withCheckedContinuation { continuation in
            let id: UInt64? = lock.withLock {
                guard outcome == nil else { return nil }
                nextID += 1
                awaiting[nextID] = continuation
                return nextID
            }
            guard let id else { return continuation.resume(returning: current) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) { [self] in
                lock.withLock { awaiting.removeValue(forKey: id) }?.resume(returning: nil)
            }
        }
    }

    private func waitForEnd() {
        var info = siginfo_t()
        var waited: Int32
        repeat {
            waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        } while waited < 0 && errno == EINTR
        let endedAt = ContinuousClock.now
        var wallClock = timespec()
        clock_gettime(CLOCK_REALTIME, &wallClock)
        let epochSeconds = Double(wallClock.tv_sec) + Double(wallClock.tv_nsec) / 1e9
        let (outcome, resumed) = lock.withLock {
            var status: Int32 = 0
            let reaped = waited == 0 && waitpid(pid, &status, WNOHANG) == pid
            let outcome: Outcome =
                reaped ? .ended(Termination(rawStatus: status), at: endedAt, epochSeconds: epochSeconds) : .lost
            self.outcome = outcome
            defer { awaiting = [:] }
            return (outcome, Array(awaiting.values))
        }
        for continuation in resumed { continuation.resume(returning: outcome) }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
