/// One probe's schedule and streak counters for the current process; rebuilt at each spawn.
struct ProbeSchedule: Sendable {
    let config: ProbeConfig
    /// When the next check may start; a check never overlaps the previous one of the same probe.
    var nextCheckAt: Instant
    var checkInFlight = false
    var successesInARow = 0
    var failuresInARow = 0

    init(config: ProbeConfig, spawnedAt: Instant) {
        self.config = config
        nextCheckAt = spawnedAt + config.initialDelay
    }

    /// Thresholds below 1 would make a single result meaningless; treat them as 1.
    var successThreshold: Int { max(1, config.successThreshold) }
    var failureThreshold: Int { max(1, config.failureThreshold) }
}

/// What happens once a stopping service is down.
enum StopPurpose: Sendable, Equatable {
    /// Stay down: the run's stop, or a control `stop`.
    case stayDown
    /// A control `restart`: spawn again at once, no backoff, not counted as a restart.
    case restartNow
    /// The liveness probe failed: the end counts as a failure and the restart policy decides.
    case restartPolicyAfterLivenessFailure
    /// A reload changed the definition: once down, run again with this one (its shutdown rules were the old).
    case replace(ServiceConfig)
    /// The main process ended on its own while its group still ran: once the group is gone, the restart
    /// policy decides on the main process's termination, as if the group had ended with it.
    case restartPolicyAfterLeaderExit(ChildTermination)
}

/// A stop in progress for one service.
struct StopProgress: Sendable {
    var purpose: StopPurpose
    var startedAt: Instant
    /// SIGKILL to the group if the process is still up then (`shutdown.timeout` after the stop began).
    var killAt: Instant
    var commandRunning: Bool
    var killSent: Bool
}

/// Signals that make a service with readiness configured ready, for the current process.
struct ReadinessSignals: Sendable {
    var probePassing = false
    var readyLineSeen = false
    var notified = false

    var any: Bool { probePassing || readyLineSeen || notified }
}

/// The supervisor's whole knowledge of one service.
struct ServiceRecord: Sendable {
    let id: ServiceID
    var spec: ServiceConfig
    /// Resolved `depends_on` (unknown names dropped: config validation reports them); see `resolveGraph`.
    var dependencies: [(service: ServiceID, condition: DependencyCondition)] = []
    /// DependencyGraph level: 0 depends on nothing; the run's stop goes from the highest level down.
    var shutdownLevel = 0

    var state: ServiceState
    var since: Instant?
    /// The main process's pid, which is also its process group's id: kept until the whole group is gone, so
    /// signals keep reaching the group after the leader was reaped.
    var pid: Int32?
    /// The main process was reaped while its group still ran (`.leaderExited`): from then on `pid` names only
    /// the group, so every signal goes to the group (a reaped pid may be reused).
    var leaderExit: ChildTermination?
    var startedAt: Instant?
    /// The same moment on the wall clock, as the shell read it (for `pcinit_service_start_time_seconds`).
    var startTime: UnixTime?
    var restarts = 0
    /// Consecutive restarts of processes that ran under `RestartBackoff.resetAfter`: the backoff exponent.
    var quickRestartsInARow = 0
    var restartAt: Instant?
    var lastExit: ChildTermination?
    var exitCode: Int32?
    var detail: String?

    var everStarted = false
    var everReady = false
    var readyLineEverSeen = false
    var signals = ReadinessSignals()
    /// What the log last said about readiness, so each change is announced once.
    var announcedReady = false
    var readinessProbe: ProbeSchedule?
    var livenessProbe: ProbeSchedule?
    /// Failed checks, per probe kind, over every process of the service in this run (a counter for metrics).
    var probeFailures: [ProbeKind: Int] = [:]

    var stop: StopProgress?
    /// A reload or scale-down removed the service: it leaves the table once it is down.
    var removeWhenDown = false
    /// Added by a reload: starts only once every service that reload removed is down (they may hold its port).
    var waitsForRemovals = false
    /// A stop requested while the spawn reply was outstanding; carried out when `.spawned` arrives.
    var stopWhenSpawned: StopPurpose?

    init(id: ServiceID, spec: ServiceConfig, state: ServiceState) {
        self.id = id
        self.spec = spec
        self.state = state
    }

    var name: String { spec.name }

    /// The service takes part in this run (not disabled or unselected, or started over the control socket since).
    var takesPart: Bool { !state.isOutOfRun }

    /// Readiness is configured: a probe, a ready line or READY=1 decides, not just being up.
    var hasReadinessSignal: Bool { spec.readinessProbe != nil || spec.readyLogLine != nil || spec.notify }

    var ready: Bool {
        switch state {
        case .running, .launched: hasReadinessSignal ? signals.any : true
        case .launching: hasReadinessSignal && signals.any
        default: false
        }
    }

    /// Ready as status, metrics and events show it: a one-shot that completed successfully is, as `/readyz`
    /// counts it.
    var readyAsShown: Bool { ready || state == .completed }

    /// Counts for `/readyz` and for the main command's wait: ready, or ended in a way that is fine.
    var satisfiesReadiness: Bool { ready || state == .completed || state == .stopped }

    /// The process (or launched daemon) is up and not being stopped: probes run.
    var isProbing: Bool {
        switch state {
        case .running, .launching, .launched: true
        default: false
        }
    }

    func probe(_ kind: ProbeKind) -> ProbeSchedule? {
        kind == .readiness ? readinessProbe : livenessProbe
    }

    mutating func setProbe(_ kind: ProbeKind, _ schedule: ProbeSchedule?) {
        if kind == .readiness { readinessProbe = schedule } else { livenessProbe = schedule }
    }

    var status: ServiceStatus {
        var status = ServiceStatus(
            id: id, name: name, state: state, ready: readyAsShown, pid: pid, restarts: restarts,
            lastExit: lastExit, exitCode: exitCode, startedAt: startedAt, since: since, detail: detail
        )
        status.startTime = startTime
        // Every configured probe has a counter from the start (0), so a dashboard's rate() sees its first failure.
        status.probeFailures = ProbeKind.allCases.compactMap { kind in
            let failures = probeFailures[kind] ?? 0
            let configured = (kind == .readiness ? spec.readinessProbe : spec.livenessProbe) != nil
            return configured || failures > 0 ? ProbeFailureCount(probe: kind, failures: failures) : nil
        }
        return status
    }
}
