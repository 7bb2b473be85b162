/// Every request the control socket answers, decoded once from its method and params. A new verb is a new
/// case here: the decoder, the mapping to the supervisor (`order`) and the runtime's handler are exhaustive
/// switches, so the compiler lists every place that must say what it does.
public enum ControlCommand: Equatable, Sendable {
    case status
    case start([String])
    case stop([String])
    case restart([String])
    case logs(LogsRequest)
    /// Re-read the config the running pcinit was started with and apply the difference.
    case reload
    case scale(service: String, replicas: Int)
    case signal(service: String, signal: Int32)
    /// The same graceful stop as SIGTERM; the connection stays open until pcinit exits.
    case down
    /// A snapshot, then one notification per transition (empty: every service).
    case events([String])

    /// Decodes a request; unknown methods and wrong params are JSON-RPC errors, never a guess.
    public static func decode(_ request: ControlRequest) throws(ControlError) -> ControlCommand {
        guard let method = ControlMethod(rawValue: request.method) else {
            throw ControlError(
                id: request.id, code: ControlError.methodNotFound, message: "method not found: \(request.method)")
        }
        switch method {
        case .status:
            try ControlParams.none(request)
            return .status
        case .start: return .start(try ControlParams.serviceNames(request))
        case .stop: return .stop(try ControlParams.serviceNames(request))
        case .restart: return .restart(try ControlParams.serviceNames(request))
        case .logs: return .logs(try ControlParams.logs(request))
        case .reload:
            try ControlParams.none(request)
            return .reload
        case .scale:
            let (service, replicas) = try ControlParams.scale(request)
            return .scale(service: service, replicas: replicas)
        case .signal:
            let (service, signal) = try ControlParams.signal(request)
            return .signal(service: service, signal: signal)
        case .down:
            try ControlParams.none(request)
            return .down
        case .events: return .events(try ControlParams.events(request))
        }
    }

    /// What the supervisor is asked: the one mapping from verbs to its event. `reload` and `scale` are nil: the
    /// shell reads the files first (the order carries what it read).
    public var order: ControlOrder? {
        switch self {
        case .status, .logs, .events: .query
        case .start(let names): .start(names)
        case .stop(let names): .stop(names)
        case .restart(let names): .restart(names)
        case .scale: nil
        case .signal(let service, let signal): .signal(service: service, signal: signal)
        case .down: .down
        case .reload: nil
        }
    }
}

/// A control request as the supervisor sees it (`SupervisorEvent.control`).
public enum ControlOrder: Equatable, Sendable {
    /// Nothing changes; the shell answers from the state (status, logs) once the supervisor lets it.
    case query
    case start([String])
    case stop([String])
    case restart([String])
    /// `specs`: the file's definitions of every replica at that count, rendered (templates such as
    /// `{{.PC_REPLICA_NUM}}` differ per replica); empty: new replicas copy the first one's.
    case scale(service: String, replicas: Int, specs: [ServiceConfig])
    case signal(service: String, signal: Int32)
    /// The same stop as SIGTERM; a second one while stopping escalates like a second SIGTERM.
    case down
    /// Apply the difference to this freshly read and validated config; `stopTimeout` is the stop budget it
    /// gives (the environment still wins over the file, as at start).
    case reload(ProjectConfig, stopTimeout: Duration)
}

/// Which control request a `.controlReply` answers; issued by the shell, opaque to the supervisor.
public struct ControlToken: Hashable, Sendable {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}

/// The supervisor's answer to one control request.
public enum ControlReply: Equatable, Sendable {
    /// Per service, in request order (start, stop, restart).
    case outcomes([ControlOutcome])
    /// A query the shell may answer now.
    case answer
    /// Refused as a whole: "pcinit is exiting".
    case refused(String)
    /// Accepted as a whole, in words: "down requested".
    case accepted(String)
}
