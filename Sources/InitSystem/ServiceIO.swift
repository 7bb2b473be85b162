import InitCore

/// The shell's side of one service: everything with a file descriptor or a buffer that the pure supervisor
/// must not hold. Created when the supervisor announces the service (`.serviceAdded`), dropped when it removes
/// it, so services can come and go at runtime.
final class ServiceIO {
    var name: String
    /// `name | `, padded to the width of the longest name.
    var prefix: String
    /// The last `log_length` lines, for `pcinit logs`.
    let ring: LineRing
    /// NOTIFY_SOCKET for `notify: true` services.
    var notifySocket: NotifySocket?
    /// Probe checks in flight.
    var probeChecks: [ProbeCheckID] = []

    init(name: String, prefix: String, ring: LineRing) {
        self.name = name
        self.prefix = prefix
        self.ring = ring
    }

    /// `name | ` padded to `width`.
    static func prefix(for name: String, width: Int) -> String {
        name + String(repeating: " ", count: max(0, width - name.count)) + " | "
    }
}
