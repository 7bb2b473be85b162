/// The documents the health surface serves, rendered from service snapshots. Pure: the caller passes `now`,
/// so the same snapshot always renders the same bytes.
public enum HealthReport {
    /// /status body and `pcinit status --json` result:
    /// `{"ready":true,"stopping":false,"services":[{"name":"web","state":"running","ready":true,"pid":42,
    /// "restarts":0,"exit_code":null,"uptime_seconds":12.5,"detail":null}, ...]}`
    public static func statusJSON(services: [ServiceStatus], ready: Bool, stopping: Bool, now: Instant) -> JSONValue {
        // The same document `pcinit status --json` gets over the control socket.
        StatusReport(ready: ready, stopping: stopping, statuses: services, now: now).json
    }

    /// Whether the service has a live process (or a launched daemon) now. `starting` is excluded: the spawn
    /// has not answered yet, so there is no process to count.
    static func hasProcess(_ service: ServiceStatus) -> Bool {
        switch service.state {
        case .running, .launching, .launched, .stopping: true
        default: false
        }
    }

    /// Seconds since the current process was spawned, to the millisecond, for services that have one.
    static func uptimeSeconds(_ service: ServiceStatus, now: Instant) -> Double? {
        guard hasProcess(service), let startedAt = service.startedAt else { return nil }
        let milliseconds = max(0, (now.nanoseconds - startedAt.nanoseconds) / 1_000_000)
        return Double(milliseconds) / 1000
    }
}
