/// The methods the control socket answers; `rawValue` is the JSON-RPC method name.
public enum ControlMethod: String, Sendable, CaseIterable {
    case status, start, stop, restart, logs, reload, scale, signal, down, events

    public init(_ verb: ControlVerb) {
        switch verb {
        case .start: self = .start
        case .stop: self = .stop
        case .restart: self = .restart
        }
    }
}
