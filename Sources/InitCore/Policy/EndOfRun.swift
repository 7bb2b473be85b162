/// The end of a run, the same in both modes. Once the services (or the command) are down, whatever is left
/// belongs to nobody: it gets SIGTERM and SIGCONT (a stopped process must run its handler), then SIGKILL at the
/// end of the grace period, which never reaches past the stop budget, or at once on another stop signal. The
/// run is over when no descendant is left, not before: a grandchild that traps TERM finishes its cleanup.
public struct EndOfRun: Sendable, Equatable {
    public enum Action: Equatable, Sendable {
        /// `kill(-1, signal)` as PID 1, every descendant as a subreaper.
        case signalEverything(Int32)
        /// Nothing is left: leave the loop.
        case finish
    }

    public let grace: Duration
    /// The whole stop's budget (config mode's PCINIT_STOP_TIMEOUT); nil: only the grace counts.
    public let stopBudget: Duration?
    public private(set) var isRunning = false
    /// When whatever is left gets SIGKILL; nil once it did, or before `begin`.
    public private(set) var killAt: Instant?

    public init(grace: Duration, stopBudget: Duration? = nil) {
        self.grace = grace
        self.stopBudget = stopBudget
    }

    /// The main work is done. `stopBegan`: when the run's stop began (nil: it ended on its own).
    public mutating func begin(now: Instant, stopBegan: Instant?, childrenLeft: Bool) -> [Action] {
        guard !isRunning else { return [] }
        isRunning = true
        guard childrenLeft else { return [.finish] }
        var at = now + grace
        if let stopBegan, let stopBudget, stopBegan + stopBudget < at { at = stopBegan + stopBudget }
        killAt = at
        return [
            .signalEverything(SignalPolicy.Number.terminate), .signalEverything(SignalPolicy.Number.cont),
        ]
    }

    /// The next deadline, for the loop's one timer.
    public var nextDeadline: Instant? { killAt }

    public mutating func tick(now: Instant) -> [Action] {
        guard let killAt, now >= killAt else { return [] }
        self.killAt = nil
        return [.signalEverything(SignalPolicy.Number.kill)]
    }

    /// A stop signal while the leftovers are given their grace: no more waiting.
    public mutating func stopSignal() -> [Action] {
        guard isRunning else { return [] }
        killAt = nil
        return [.signalEverything(SignalPolicy.Number.kill)]
    }

    public func noChildrenLeft() -> [Action] { isRunning ? [.finish] : [] }
}
