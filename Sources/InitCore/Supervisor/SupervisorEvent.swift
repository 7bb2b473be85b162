/// How a service's process ended, as `waitpid` reported it.
public enum ChildTermination: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    /// The shell's convention: the exit status, or 128+N for a death by signal N.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}

/// `rawValue` names it in metrics (`probe="readiness"`).
public enum ProbeKind: String, Sendable, Hashable, CaseIterable {
    case readiness
    case liveness
}

/// Everything the system layer tells the supervisor. Each is answered by `Supervisor.handle(_:now:)`.
public enum SupervisorEvent: Sendable, Equatable {
    /// Start the run: launch every service whose dependencies already hold.
    case begin
    /// `nextDeadline` has passed. Harmless at any time: every event also fires what is due.
    case tick
    /// Reply to `.spawn`: the process exists. `startTime` is the wall clock at the spawn, for dashboards (nil:
    /// not read).
    case spawned(ServiceID, pid: Int32, startTime: UnixTime? = nil)
    /// Reply to `.spawn`: no process (missing binary, bad working_dir...). `exitCode` is what a shell would
    /// report: 127 not found, 126 not executable. The service fails and is not restarted.
    case spawnFailed(ServiceID, reason: String, exitCode: Int32 = 127)
    /// The service is over: its main process was reaped and no process of its process group is left.
    /// `termination` is the main process's (the exit code a service reports is its leader's).
    case exited(ServiceID, ChildTermination)
    /// The service's main process was reaped, but other processes of its process group still run (with dash
    /// as /bin/sh, `sh -c CMD` leaves CMD running when the shell dies of a signal; a script that backgrounds
    /// its server). `.exited` follows, with the same termination, once the group is empty.
    case leaderExited(ServiceID, ChildTermination)
    /// Reply to `.runProbe`.
    case probeFinished(ServiceID, ProbeKind, success: Bool, detail: String)
    /// A line of the service's output contained its `ready_log_line`.
    case readyLogLineSeen(ServiceID)
    /// `READY=1` arrived on the service's NOTIFY_SOCKET.
    case notifyReady(ServiceID)
    /// Reply to `.runShutdownCommand`: false on failure or timeout.
    case shutdownCommandFinished(ServiceID, success: Bool)
    /// SIGTERM/SIGINT to pcinit: the first starts a graceful stop, the second SIGKILLs everything at once.
    case stopRequested(signal: Int32)
    /// A control socket request. Answered by exactly one `.controlReply` with the same token, after the
    /// actions it caused.
    case control(ControlOrder, token: ControlToken)
}
