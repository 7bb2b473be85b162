import InitCore

extension ChildTermination: CustomStringConvertible {
    /// `exited 3`, `killed by SIGTERM`: how pcinit's messages say it.
    public var description: String {
        switch self {
        case .exited(let code): return "exited \(code)"
        case .signaled(let signal): return "killed by \(SignalNames.name(of: signal))"
        }
    }
}
