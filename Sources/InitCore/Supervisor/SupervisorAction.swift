/// What the supervisor asks the system layer to do, in the order given.
public enum SupervisorAction: Equatable, Sendable {
    /// A service exists from now on: the shell makes its I/O (log ring, notify socket, prefix). Comes before
    /// anything else about that service; at `.begin` for every configured service.
    case serviceAdded(ServiceID)
    /// The service is gone for good (removed by a reload or a scale-down, and down): drop its I/O.
    case serviceRemoved(ServiceID)
    /// A scale renamed the service (`web` → `web-0`); its process runs on.
    case serviceRenamed(ServiceID)
    /// Spawn `spec(id)` in a new process group; reply `.spawned` or `.spawnFailed`.
    case spawn(ServiceID)
    /// `kill(-pid, signal)` when `toGroup`, else `kill(pid, signal)`.
    case signal(pid: Int32, signal: Int32, toGroup: Bool)
    /// Run the service's `shutdown.command` (shell, its environment and working_dir), killed after `timeout`;
    /// reply `.shutdownCommandFinished`.
    case runShutdownCommand(ServiceID, timeout: Duration)
    /// Run one check of that probe (the system applies `probe.timeout`); reply `.probeFinished`.
    case runProbe(ServiceID, ProbeKind)
    /// Kill the service's in-flight probe checks; no `.probeFinished` may follow for them.
    case cancelProbes(ServiceID)
    /// A service's state (or readiness) changed; see `StateChange`.
    case stateChanged(StateChange)
    /// A message in pcinit's own voice that is not a service's step, e.g. `stopping all services: SIGTERM`.
    case log(String)
    /// The answer to a `.control` event.
    case controlReply(ControlToken, ControlReply)
    /// Every service is down: clean up orphans and exit with this code. Emitted once; nothing follows it.
    case exit(code: Int32)
}

/// One step in a service's life, as data: the log line, `/metrics`, the event stream and the tests read this,
/// not log wording. Emitted by the one place a service's state changes (and when its readiness flips, with
/// `from == to`).
public struct StateChange: Equatable, Sendable {
    public var service: ServiceID
    public var name: String
    /// The name in the file (replicas share it): what `pcinit events NAME` matches besides `name`.
    public var baseName: String
    public var from: ServiceState
    public var to: ServiceState
    public var ready: Bool
    /// The main pid (also the process group's id) while there is one.
    public var pid: Int32?
    /// How the last process ended, as a shell code, once one did.
    public var exitCode: Int32?
    public var restarts: Int
    /// Why, in words, as pcinit's log says it after the name: `started (pid 42)`, `exited 1, restarting in 2s`.
    /// nil for a step that is an event but not worth a log line (→ starting).
    public var reason: String?

    public init(
        service: ServiceID, name: String, baseName: String? = nil, from: ServiceState, to: ServiceState, ready: Bool,
        pid: Int32? = nil, exitCode: Int32? = nil, restarts: Int = 0, reason: String? = nil
    ) {
        self.service = service
        self.name = name
        self.baseName = baseName ?? name
        self.from = from
        self.to = to
        self.ready = ready
        self.pid = pid
        self.exitCode = exitCode
        self.restarts = restarts
        self.reason = reason
    }

    /// pcinit's log line for this step, or nil when it has none.
    public var logLine: String? { reason.map { "\(name) \($0)" } }
}
