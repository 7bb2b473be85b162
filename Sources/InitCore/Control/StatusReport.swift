/// The `status` result: `{"ready":…,"stopping":…,"services":[…]}`. Built by the server from the
/// supervisor's snapshot, read back by `pcinit status`.
public struct StatusReport: Equatable, Sendable {
    public var ready: Bool
    public var stopping: Bool
    public var services: [StatusRow]
    /// The health listener's address as the server was configured (`"[::]:8559"`, `"off"`), in the control
    /// socket's answer only (`health_addr`): `pcinit --check` run without the config finds it there.
    public var healthAddress: String?

    public init(ready: Bool, stopping: Bool, services: [StatusRow], healthAddress: String? = nil) {
        self.ready = ready
        self.stopping = stopping
        self.services = services
        self.healthAddress = healthAddress
    }

    /// From the supervisor's snapshot; `now` measures uptime.
    public init(ready: Bool, stopping: Bool, statuses: [ServiceStatus], now: Instant, healthAddress: String? = nil) {
        self.init(
            ready: ready, stopping: stopping, services: statuses.map { StatusRow($0, now: now) },
            healthAddress: healthAddress)
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("ready", .bool(ready)), ("stopping", .bool(stopping)), ("services", .array(services.map { $0.json })),
        ]
        if let healthAddress { fields.append(("health_addr", .string(healthAddress))) }
        return .object(fields)
    }

    /// nil when the result does not have the documented shape.
    public init?(json: JSONValue) {
        guard let ready = json["ready"]?.boolValue, let stopping = json["stopping"]?.boolValue,
            let items = json["services"]?.arrayValue
        else { return nil }
        var rows: [StatusRow] = []
        for item in items {
            guard let row = StatusRow(json: item) else { return nil }
            rows.append(row)
        }
        self.init(ready: ready, stopping: stopping, services: rows, healthAddress: json["health_addr"]?.stringValue)
    }
}

/// One service in a `StatusReport`.
public struct StatusRow: Equatable, Sendable {
    public var name: String
    /// A `ServiceState` raw value (kept as text so an older client shows a newer server's states).
    public var state: String
    public var ready: Bool
    public var pid: Int64?
    public var restarts: Int64
    public var exitCode: Int64?
    /// Seconds since the current process started; nil when no process is up.
    public var uptimeSeconds: Double?
    public var detail: String?
    /// While pcinit stops it: seconds until its SIGKILL (what holds the stop up, and for how long).
    public var killInSeconds: Double?
    /// CPU seconds and resident bytes of its process group, read when the status was asked for.
    public var cpuSeconds: Double?
    public var memoryRSSBytes: Int64?

    public init(
        name: String, state: String, ready: Bool = false, pid: Int64? = nil, restarts: Int64 = 0,
        exitCode: Int64? = nil, uptimeSeconds: Double? = nil, detail: String? = nil, killInSeconds: Double? = nil,
        cpuSeconds: Double? = nil, memoryRSSBytes: Int64? = nil
    ) {
        self.name = name
        self.state = state
        self.ready = ready
        self.pid = pid
        self.restarts = restarts
        self.exitCode = exitCode
        self.uptimeSeconds = uptimeSeconds
        self.detail = detail
        self.killInSeconds = killInSeconds
        self.cpuSeconds = cpuSeconds
        self.memoryRSSBytes = memoryRSSBytes
    }

    public init(_ status: ServiceStatus, now: Instant) {
        var uptime: Double?
        if status.state.isUp, let started = status.startedAt {
            let nanoseconds = max(0, (now - started).nanosecondsClamped)
            // Milliseconds are plenty for a human and keep the JSON short.
            uptime = (Double(nanoseconds / 1_000_000) / 1000)
        }
        let killIn = status.killAt.map { Double(max(0, ($0 - now).nanosecondsClamped) / 1_000_000) / 1000 }
        self.init(
            name: status.name, state: status.state.rawValue, ready: status.ready, pid: status.pid.map(Int64.init),
            restarts: Int64(status.restarts), exitCode: status.exitCode.map(Int64.init), uptimeSeconds: uptime,
            detail: status.detail, killInSeconds: killIn,
            // Milliseconds of CPU, like uptime.
            cpuSeconds: status.usage.map { ($0.cpuSeconds * 1000).rounded() / 1000 },
            memoryRSSBytes: status.usage.map { Int64(clamping: $0.residentBytes) })
    }

    public var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("state", .string(state)),
            ("ready", .bool(ready)),
            ("pid", pid.map { .int($0) } ?? .null),
            ("restarts", .int(restarts)),
            ("exit_code", exitCode.map { .int($0) } ?? .null),
            ("uptime_seconds", uptimeSeconds.map { .double($0) } ?? .null),
            ("detail", detail.map { .string($0) } ?? .null),
            ("kill_in_seconds", killInSeconds.map { .double($0) } ?? .null),
            ("cpu_seconds", cpuSeconds.map { .double($0) } ?? .null),
            ("memory_rss_bytes", memoryRSSBytes.map { .int($0) } ?? .null),
        ])
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let state = json["state"]?.stringValue else { return nil }
        self.init(
            name: name, state: state, ready: json["ready"]?.boolValue ?? false, pid: json["pid"]?.intValue,
            restarts: json["restarts"]?.intValue ?? 0, exitCode: json["exit_code"]?.intValue,
            uptimeSeconds: json["uptime_seconds"]?.doubleValue, detail: json["detail"]?.stringValue,
            killInSeconds: json["kill_in_seconds"]?.doubleValue, cpuSeconds: json["cpu_seconds"]?.doubleValue,
            memoryRSSBytes: json["memory_rss_bytes"]?.intValue)
    }
}
