/// What a signal that reaches pcinit means. One table for both modes: config mode carries out `stop` as the
/// supervisor's ordered stop, single-command mode as forwarding it to the command (tini's contract), and both
/// send `forward` on unchanged.
public enum SignalRole: Equatable, Sendable {
    /// SIGCHLD: reap.
    case reap
    /// SIGTERM, SIGINT (Fly's default kill signal): end the run; a second one during the stop escalates.
    case stop
    /// Everything else: to the services' process groups, or to the command's.
    case forward
    /// SIGHUP with `x-pcinit: {sighup: reload}`: re-read the config.
    case reload
    /// Not for anyone: SIGTTIN/SIGTTOU (only a terminal sends them, to its foreground group, which is the
    /// command's already), and signals pcinit raised itself (SIGPIPE from writing to a closed stdout).
    case ignore
}

public struct SignalPolicy: Sendable, Equatable {
    /// `x-pcinit: {sighup: reload}`; the default forwards SIGHUP like any other signal.
    public var hangupReloads: Bool

    public init(hangupReloads: Bool = false) { self.hangupReloads = hangupReloads }

    /// - Parameter raisedByPCInit: the kernel says the sender was pcinit itself (`ssi_pid` is ours, `SI_USER`).
    public func role(of signal: Int32, raisedByPCInit: Bool) -> SignalRole {
        switch signal {
        case Number.child: return .reap
        case _ where raisedByPCInit: return .ignore
        case Number.terminalInput, Number.terminalOutput: return .ignore
        case Number.terminate, Number.interrupt: return .stop
        case Number.hangup where hangupReloads: return .reload
        default: return .forward
        }
    }

    /// Linux numbers (x86_64 and aarch64 agree); InitCore has no libc.
    public enum Number {
        public static let hangup: Int32 = 1
        public static let interrupt: Int32 = 2
        public static let kill: Int32 = 9
        public static let terminate: Int32 = 15
        public static let child: Int32 = 17
        public static let cont: Int32 = 18
        public static let terminalInput: Int32 = 21
        public static let terminalOutput: Int32 = 22
    }
}
