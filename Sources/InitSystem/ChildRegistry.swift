import CInit
import InitCore

/// Who started each child pcinit is waiting for. The one reaper hands every reaped pid here; a pid nobody
/// registered is an orphan that was reparented to us.
public final class ChildRegistry {
    public typealias ExitHandler = (ChildTermination) -> Void

    private var handlers: [pid_t: ExitHandler] = [:]
    public private(set) var reapedTotal = 0

    public init() {}

    public func register(_ pid: pid_t, onExit: @escaping ExitHandler) { handlers[pid] = onExit }

    public var isEmpty: Bool { handlers.isEmpty }

    /// `pid` is a child of ours that has not been reaped yet, so its number still names it.
    public func isWaiting(for pid: pid_t) -> Bool { handlers[pid] != nil }

    /// Reaps everything that exited and dispatches it. Returns the reaper's outcome.
    @discardableResult
    public func reap() -> Reaper.Outcome {
        Reaper.reapAll { pid, termination in
            reapedTotal += 1
            if let handler = handlers.removeValue(forKey: pid) {
                handler(termination)
            } else {
                Log.debug("reaped orphan pid \(pid) (\(termination))")
            }
        }
    }
}
