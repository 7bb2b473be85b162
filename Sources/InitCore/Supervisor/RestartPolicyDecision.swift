/// What the restart policy says once a process has ended on its own (not during the run's stop).
enum RestartDecision: Sendable, Equatable {
    case restart
    /// Done for good. `exhausted`: a restart was wanted but `max_restarts` is used up.
    case finish(exhausted: Bool)
    /// `exit_on_failure`: stop the whole run with this code.
    case endRun(code: Int32, exhausted: Bool)

    /// - `no`: never restart.
    /// - `always`: restart while `max_restarts` allows (0 = unlimited).
    /// - `on_failure`: restart a failure while `max_restarts` allows.
    /// - `exit_on_failure`: a success finishes. A failure ends the run with its code; with `max_restarts` > 0
    ///   failures are first restarted that many times, and the one after ends the run with 1 (design.md §1).
    static func decide(
        availability: Availability, succeeded: Bool, failureCode: Int32, restartsSoFar: Int
    ) -> RestartDecision {
        let budgetLeft = availability.maxRestarts == 0 || restartsSoFar < availability.maxRestarts
        switch availability.restart {
        case .no:
            return .finish(exhausted: false)
        case .always:
            return budgetLeft ? .restart : .finish(exhausted: true)
        case .onFailure:
            if succeeded { return .finish(exhausted: false) }
            return budgetLeft ? .restart : .finish(exhausted: true)
        case .exitOnFailure:
            if succeeded { return .finish(exhausted: false) }
            if availability.maxRestarts == 0 { return .endRun(code: failureCode, exhausted: false) }
            return restartsSoFar < availability.maxRestarts ? .restart : .endRun(code: 1, exhausted: true)
        }
    }
}

/// Restart delays: `backoff`, doubled for each quick restart in a row, capped at `maxBackoff`.
enum RestartBackoff {
    /// A process that ran at least this long resets the doubling.
    static let resetAfter: Duration = .seconds(10)

    static func delay(base: Duration, max cap: Duration, quickRestartsInARow: Int) -> Duration {
        let capNanoseconds = cap.nanosecondsClamped
        var nanoseconds = min(base.nanosecondsClamped, capNanoseconds)
        var doublings = 0
        while doublings < quickRestartsInARow && nanoseconds < capNanoseconds && nanoseconds > 0 {
            let (doubled, overflow) = nanoseconds.multipliedReportingOverflow(by: 2)
            nanoseconds = overflow ? capNanoseconds : min(doubled, capNanoseconds)
            doublings += 1
        }
        return .nanoseconds(max(0, nanoseconds))
    }
}
