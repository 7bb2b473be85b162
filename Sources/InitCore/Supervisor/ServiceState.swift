/// Where a service is in its life. `rawValue` is the stable lowercase name used in JSON and tables.
/// Readiness is not a state: it is `ServiceStatus.ready`, meaningful while the process is up.
public enum ServiceState: String, Sendable, Equatable, CaseIterable {
    /// Waiting for its dependencies (or for `.begin`).
    case pending
    /// `.spawn` was sent; waiting for `.spawned`/`.spawnFailed`.
    case starting
    /// The process is up.
    case running
    /// An `is_daemon` launcher is running.
    case launching
    /// An `is_daemon` launcher exited successfully; the daemon it forked counts as running.
    case launched
    /// Waiting out the backoff before the next spawn.
    case restarting
    /// A stop was sent (signal or shutdown command); waiting for the process to exit.
    case stopping
    /// Ended for good with a success code (0 or `success_exit_codes`).
    case completed
    /// Ended for good otherwise: non-success code, signal, spawn error, or restarts exhausted.
    case failed
    /// Stopped by pcinit (the run's stop, or a control `stop`), or cancelled before it started.
    case stopped
    /// Never started: a dependency could no longer hold.
    case skipped
    /// Not part of this run: `disabled: true` in the config (and not named on the command line).
    case disabled
    /// Not part of this run: the command line named other services, and none of them depends on this one.
    case notSelected = "not selected"

    /// The service has a process, or a launched daemon, that a stop must deal with.
    var isUp: Bool {
        switch self {
        case .starting, .running, .launching, .launched, .stopping: true
        case .pending, .restarting, .completed, .failed, .stopped, .skipped, .disabled, .notSelected: false
        }
    }

    /// Not part of this run: only a control `start` (or a reload that selects it) brings it in.
    var isOutOfRun: Bool { self == .disabled || self == .notSelected }

    /// The state of a service that does not take part, saying why.
    static func outOfRun(_ spec: ServiceConfig) -> ServiceState { spec.disabled ? .disabled : .notSelected }

    /// Ended for good: only a control `start` or `restart` brings it back.
    var isFinal: Bool {
        switch self {
        case .completed, .failed, .stopped, .skipped: true
        case .pending, .starting, .running, .launching, .launched, .restarting, .stopping, .disabled, .notSelected:
            false
        }
    }
}

/// Failed checks of one probe of a service, for `pcinit_probe_failures_total`.
public struct ProbeFailureCount: Sendable, Equatable {
    public var probe: ProbeKind
    public var failures: Int

    public init(probe: ProbeKind, failures: Int) {
        self.probe = probe
        self.failures = failures
    }
}

/// A snapshot of one service for `/status`, `/metrics` and `pcinit status`.
public struct ServiceStatus: Sendable, Equatable {
    /// nil for a status that no supervisor record stands behind (single-command mode's command).
    public var id: ServiceID?
    public var name: String
    public var state: ServiceState
    /// Ready now (readiness probe passing, ready line seen, READY=1, or running with none configured), or
    /// completed successfully (as `/readyz` counts it).
    public var ready: Bool
    public var pid: Int32?
    /// Automatic restarts so far (a control `restart` does not count).
    public var restarts: Int
    /// How the last process ended; nil if none ended yet or the last start failed to spawn.
    public var lastExit: ChildTermination?
    /// The last end as a shell-style code: exit status, 128+N for signal N, 127/126 for a spawn error.
    public var exitCode: Int32?
    /// When the current (or last) process was spawned.
    public var startedAt: Instant?
    /// When `state` last changed.
    public var since: Instant?
    /// Why the service is in its state, when that needs saying: the skip reason, the spawn error.
    public var detail: String?
    /// While it is being stopped: when it gets SIGKILL if it is still up (its timeout, or the stop budget).
    public var killAt: Instant?
    /// When the current (or last) process was spawned, on the wall clock.
    public var startTime: UnixTime?
    /// Failed checks of each configured probe (and of any that failed before a reload removed it).
    public var probeFailures: [ProbeFailureCount] = []
    /// CPU seconds and resident bytes of the service's process group, summed. Never in the supervisor's
    /// snapshot: the system layer reads /proc and fills them in when a status or metrics request asks.
    public var usage: ProcessGroupUsage?

    public init(
        id: ServiceID? = nil,
        name: String,
        state: ServiceState,
        ready: Bool = false,
        pid: Int32? = nil,
        restarts: Int = 0,
        lastExit: ChildTermination? = nil,
        exitCode: Int32? = nil,
        startedAt: Instant? = nil,
        since: Instant? = nil,
        detail: String? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.ready = ready
        self.pid = pid
        self.restarts = restarts
        self.lastExit = lastExit
        self.exitCode = exitCode
        self.startedAt = startedAt
        self.since = since
        self.detail = detail
    }
}
