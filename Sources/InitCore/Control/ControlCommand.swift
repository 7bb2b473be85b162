/// Every request the control socket answers, decoded once from its method and params. A new verb is a new
/// case here: the decoder, the mapping to the supervisor (`order`) and the runtime's handler are exhaustive
/// switches, so the compiler lists every place that must say what it does.
public enum ControlCommand: Equatable, Sendable {
    case status
    case start([String])
    case stop([String])
    case restart([String])
    case logs(LogsRequest)

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
        }
    }

    /// What the supervisor is asked: the one mapping from verbs to its event.
    public var order: ControlOrder {
        switch self {
        case .status, .logs: .query
        case .start(let names): .start(names)
        case .stop(let names): .stop(names)
        case .restart(let names): .restart(names)
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
}
