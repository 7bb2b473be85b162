/// Typed params of the control methods, decoded with JSON-RPC's -32602 on a wrong shape. The server
/// side (ServiceRuntime's handler) uses these so every method rejects bad input the same way.
public enum ControlParams {
    /// `{"services": ["web", "db"]}` for start, stop and restart: at least one name, in order.
    public static func serviceNames(_ request: ControlRequest) throws(ControlError) -> [String] {
        try rejectUnknownMembers(request, allowed: ["services"])
        guard let names = request.params["services"]?.stringArrayValue else {
            throw invalid(request, "\"services\" must be an array of service names")
        }
        guard !names.isEmpty else { throw invalid(request, "\"services\" must name at least one service") }
        return names
    }

    /// `{"services": [...], "lines": N, "follow": bool}`, all optional; no services means all of them.
    public static func logs(_ request: ControlRequest) throws(ControlError) -> LogsRequest {
        try rejectUnknownMembers(request, allowed: ["services", "lines", "follow"])
        var logs = LogsRequest()
        if let services = request.params["services"], !services.isNull {
            guard let names = services.stringArrayValue else {
                throw invalid(request, "\"services\" must be an array of service names")
            }
            logs.services = names
        }
        if let lines = request.params["lines"], !lines.isNull {
            guard let count = lines.intValue, count >= 0, let small = Int(exactly: count) else {
                throw invalid(request, "\"lines\" must be a non-negative integer")
            }
            logs.lines = small
        }
        if let follow = request.params["follow"], !follow.isNull {
            guard let flag = follow.boolValue else { throw invalid(request, "\"follow\" must be true or false") }
            logs.follow = flag
        }
        return logs
    }

    /// `{"service": "web", "replicas": 3}` for scale.
    public static func scale(_ request: ControlRequest) throws(ControlError) -> (service: String, replicas: Int) {
        try rejectUnknownMembers(request, allowed: ["service", "replicas"])
        guard let service = request.params["service"]?.stringValue, !service.isEmpty else {
            throw invalid(request, "\"service\" must be a service name")
        }
        guard let count = request.params["replicas"]?.intValue, let replicas = Int(exactly: count),
            (0...Invocation.maxReplicas).contains(replicas)
        else { throw invalid(request, "\"replicas\" must be a number from 0 to \(Invocation.maxReplicas)") }
        return (service, replicas)
    }

    /// `{"service": "web", "signal": 1}` for signal (a number; the client resolves names).
    public static func signal(_ request: ControlRequest) throws(ControlError) -> (service: String, signal: Int32) {
        try rejectUnknownMembers(request, allowed: ["service", "signal"])
        guard let service = request.params["service"]?.stringValue, !service.isEmpty else {
            throw invalid(request, "\"service\" must be a service name")
        }
        guard let number = request.params["signal"]?.intValue, let signal = Int32(exactly: number),
            SignalNames.number(of: String(signal)) != nil
        else { throw invalid(request, "\"signal\" must be a signal number") }
        return (service, signal)
    }

    /// `{"services": [...]}` for events; none or empty: every service.
    public static func events(_ request: ControlRequest) throws(ControlError) -> [String] {
        try rejectUnknownMembers(request, allowed: ["services"])
        guard let services = request.params["services"], !services.isNull else { return [] }
        guard let names = services.stringArrayValue else {
            throw invalid(request, "\"services\" must be an array of service names")
        }
        return names
    }

    /// `status` takes no params; `{}` or `[]` are fine.
    public static func none(_ request: ControlRequest) throws(ControlError) {
        if let members = request.params.objectValue, members.isEmpty { return }
        if let items = request.params.arrayValue, items.isEmpty { return }
        throw invalid(request, "\(request.method) takes no params")
    }

    private static func rejectUnknownMembers(_ request: ControlRequest, allowed: Set<String>) throws(ControlError) {
        guard let members = request.params.objectValue else {
            throw invalid(request, "params must be an object")
        }
        for (key, _) in members where !allowed.contains(key) {
            throw invalid(request, "unknown param \"\(key)\" for \(request.method)")
        }
    }

    private static func invalid(_ request: ControlRequest, _ message: String) -> ControlError {
        ControlError(id: request.id, code: ControlError.invalidParams, message: "invalid params: \(message)")
    }
}

/// What `logs` asks for.
public struct LogsRequest: Equatable, Sendable {
    /// Empty: every service.
    public var services: [String]
    /// nil: every line the ring buffers keep.
    public var lines: Int?
    public var follow: Bool

    public init(services: [String] = [], lines: Int? = nil, follow: Bool = false) {
        self.services = services
        self.lines = lines
        self.follow = follow
    }

    /// The request's params object, as the client sends it.
    public var params: JSONValue {
        var members: [(String, JSONValue)] = [("services", .array(services.map { .string($0) }))]
        if let lines { members.append(("lines", .int(Int64(lines)))) }
        members.append(("follow", .bool(follow)))
        return .object(members)
    }
}
