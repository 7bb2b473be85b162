/// One line of `pcinit events` and of `GET /events`: a service's state at a moment, from a `StateChange` or a
/// snapshot. JSON fields: time (RFC 3339 UTC), name, state, ready, pid, exit_code, restarts, reason, kind.
public struct ServiceEvent: Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The state when the subscriber joined.
        case snapshot
        /// A transition.
        case change
        /// The service left (reload, scale-down).
        case removed
    }

    public var time: String
    public var name: String
    /// A `ServiceState` raw value, or `removed`.
    public var state: String
    public var ready: Bool
    public var pid: Int32?
    public var exitCode: Int32?
    public var restarts: Int
    public var reason: String?
    public var kind: Kind

    public init(
        time: String, name: String, state: String, ready: Bool, pid: Int32?, exitCode: Int32?, restarts: Int,
        reason: String?, kind: Kind
    ) {
        self.time = time
        self.name = name
        self.state = state
        self.ready = ready
        self.pid = pid
        self.exitCode = exitCode
        self.restarts = restarts
        self.reason = reason
        self.kind = kind
    }

    public init(_ change: StateChange, time: String) {
        self.init(
            time: time, name: change.name, state: change.to.rawValue, ready: change.ready, pid: change.pid,
            exitCode: change.exitCode, restarts: change.restarts, reason: change.reason, kind: .change)
    }

    public init(snapshot status: ServiceStatus, time: String) {
        self.init(
            time: time, name: status.name, state: status.state.rawValue, ready: status.ready, pid: status.pid,
            exitCode: status.exitCode, restarts: status.restarts, reason: status.detail, kind: .snapshot)
    }

    public var json: JSONValue {
        .object([
            ("time", .string(time)),
            ("name", .string(name)),
            ("state", .string(state)),
            ("ready", .bool(ready)),
            ("pid", pid.map { .int(Int64($0)) } ?? .null),
            ("exit_code", exitCode.map { .int(Int64($0)) } ?? .null),
            ("restarts", .int(Int64(restarts))),
            ("reason", reason.map { .string($0) } ?? .null),
            ("kind", .string(kind.rawValue)),
        ])
    }

    public init?(json: JSONValue) {
        guard let time = json["time"]?.stringValue, let name = json["name"]?.stringValue,
            let state = json["state"]?.stringValue
        else { return nil }
        self.init(
            time: time, name: name, state: state, ready: json["ready"]?.boolValue ?? false,
            pid: json["pid"]?.intValue.flatMap { Int32(exactly: $0) },
            exitCode: json["exit_code"]?.intValue.flatMap { Int32(exactly: $0) },
            restarts: json["restarts"]?.intValue.flatMap { Int(exactly: $0) } ?? 0, reason: json["reason"]?.stringValue,
            kind: json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) ?? .change)
    }

    /// The text line of `pcinit events` (without --json).
    public var line: String {
        var words = [time, name, state, ready ? "ready" : "not-ready"]
        if let pid { words.append("pid=\(pid)") }
        if let exitCode { words.append("exit=\(exitCode)") }
        if restarts > 0 { words.append("restarts=\(restarts)") }
        if kind == .snapshot { words.append("(snapshot)") }
        if let reason, kind != .snapshot { words.append("- " + reason) }
        return words.joined(separator: " ")
    }

    /// Whether a subscriber that asked for `names` (empty: all) wants this service (its name or its base name).
    public static func wanted(_ name: String, baseName: String, by names: [String]) -> Bool {
        names.isEmpty || names.contains(name) || names.contains(baseName)
    }

    /// The JSON-RPC notification method of an event line, and of the last line a dropped subscriber gets.
    public static let notificationMethod = "event"
    public static let droppedMethod = "dropped"
    /// The last notification a `down` waiter gets: `{"code": N}`.
    public static let exitedMethod = "exited"
}
