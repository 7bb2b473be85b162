/// The methods the control socket answers; `rawValue` is the JSON-RPC method name.
public enum ControlMethod: String, Sendable, CaseIterable {
    case status, start, stop, restart, logs

    public init(_ verb: ControlVerb) {
        switch verb {
        case .start: self = .start
        case .stop: self = .stop
        case .restart: self = .restart
        }
    }
}
