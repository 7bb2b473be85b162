/// Why the whole run is stopping; decides pcinit's exit code.
enum RunStopCause: Sendable, Equatable {
    /// SIGTERM/SIGINT to pcinit.
    case stopSignal(Int32)
    /// `pcinit down`.
    case downRequested
    /// A service with `exit_on_end` (the main command included) ended for good with this code.
    case serviceEnded(ServiceID, code: Int32)
    /// A service with `restart: exit_on_failure` failed with this code.
    case serviceFailed(ServiceID, code: Int32)
    /// A service with `restart: exit_on_failure` used up its `max_restarts`.
    case restartsExhausted(ServiceID)
    /// A service with `exit_on_skipped` was skipped.
    case skipped(ServiceID)
}

/// design.md §1: which code pcinit exits with.
enum ExitCodePolicy {
    /// Exit code after a run stop. The first cause wins; later ends during the stop do not change it.
    /// In main-command mode a stop signal defers to the main command's own code (tini-compatible), and to 0
    /// if it never ran.
    static func code(for cause: RunStopCause, mainExitCode: Int32?) -> Int32 {
        switch cause {
        case .stopSignal, .downRequested: mainExitCode ?? 0
        case .serviceEnded(_, let code), .serviceFailed(_, let code): code
        case .restartsExhausted, .skipped: 1
        }
    }

    /// Exit code when every service ended on its own: 0 if each completed successfully, else 1
    /// (failed and skipped services count as failures).
    static func codeWhenAllFinished(_ states: [ServiceState]) -> Int32 {
        states.allSatisfy { $0 == .completed } ? 0 : 1
    }

    /// The code an `exit_on_end` service hands to pcinit: 0 for a success code, else its shell-style code.
    static func endCode(succeeded: Bool, shellCode: Int32) -> Int32 {
        succeeded ? 0 : shellCode
    }
}
