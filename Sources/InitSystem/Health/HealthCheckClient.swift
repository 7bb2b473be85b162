import CInit
import InitCore

/// `pcinit --check`: one GET /readyz against the running init's health listener, answered within a total time
/// budget. It runs as its own short-lived process, so it may block in poll(2).
public enum HealthCheckClient {
    /// GET /readyz on the configured address (a listener on every interface is asked on loopback: 127.0.0.1, then
    /// ::1 for "::" if 127.0.0.1 fails). Exit code 0 when ready, 1 when not ready or unreachable; never 2, which
    /// Docker reserves. The line is short enough for Docker's health log: "ready", "not ready: 503",
    /// "unreachable: connection refused (127.0.0.1:8558)", "health endpoint is off".
    public static func check(address: HealthAddress, timeout: Duration = .seconds(1)) -> (code: Int32, line: String) {
        guard case .listen(let host, let port) = address else { return (1, "health endpoint is off") }
        let deadline = MonotonicClock.now() + timeout
        var firstFailure: String?
        for target in targets(for: host) {
            let label = HealthAddress.listen(host: target, port: port).description
            switch HealthCheckExchange.readyz(host: target, port: port, deadline: deadline) {
            case .answered(200, _):
                return (0, "ready")
            case .answered(let status, let word):
                return (1, "not ready: \(status)" + (word.map { " (\($0))" } ?? ""))
            case .invalidReply:
                return (1, "not ready: invalid reply from \(label)")
            case .timedOut:
                return (1, "unreachable: " + (firstFailure ?? "no answer within \(seconds(timeout)) s (\(label))"))
            case .failed(let code):
                firstFailure = firstFailure ?? "\(lowercasedFirst(SystemError.describe(code))) (\(label))"
            }
        }
        return (1, "unreachable: " + (firstFailure ?? "no address to ask"))
    }

    /// Where to ask: a wildcard listener answers on loopback.
    static func targets(for host: String) -> [String] {
        switch host {
        case "::": ["127.0.0.1", "::1"]
        case "0.0.0.0": ["127.0.0.1"]
        default: [host]
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        // Decimal digits by hand, as `1.5`: no floating-point formatting in the binary.
        let milliseconds = duration.millisecondsRoundedUp
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return String(milliseconds / 1000) }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(milliseconds / 1000).\(digits)"
    }

    private static func lowercasedFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }
}
