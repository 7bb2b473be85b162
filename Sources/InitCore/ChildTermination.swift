/// How a child process ended, decoded from a wait status.
public enum ChildTermination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// The shell convention pcinit exits with: the code itself, or 128+N for signal N.
    public var shellExitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited \(code)"
        case .signaled(let signal): return "killed by \(SignalNames.name(of: signal))"
        }
    }
}
