/// What the supervisor asks the system layer to do, in the order given.
public enum SupervisorAction: Equatable, Sendable {
    /// A service exists from now on: the shell makes its I/O (log ring, notify socket, prefix). Comes before
    /// anything else about that service; at `.begin` for every configured service.
    case serviceAdded(ServiceID)
    /// The service is gone for good (removed by a reload or a scale-down, and down): drop its I/O.
    case serviceRemoved(ServiceID)
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
    /// A message in pcinit's own voice, e.g. `web started (pid 42)`.
    case log(String)
    /// The answer to a control event (`startService`, `stopService`, `restartService`).
    case controlReply(success: Bool, message: String)
    /// Every service is down: clean up orphans and exit with this code. Emitted once; nothing follows it.
    case exit(code: Int32)
}
