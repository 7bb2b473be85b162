import CInit

/// Where the health listener binds, from `--health-addr` / `PCINIT_HEALTH_ADDR` / `x-pcinit`.
public enum HealthAddress: Equatable, Sendable, CustomStringConvertible {
    case off
    /// `host` is a numeric IPv4 or IPv6 literal: "::" and "0.0.0.0" mean every interface.
    case listen(host: String, port: UInt16)

    public static let defaultText = "[::]:8558"
    static let defaultPort: UInt16 = 8558

    /// Accepts "[::]:8558", "[::1]:9000", "0.0.0.0:8558", "127.0.0.1:9000", "localhost:9000", ":8558" and "8558"
    /// (every interface), a bare host ("127.0.0.1", "[::1]", default port), and "off". Nil when invalid: host
    /// names other than localhost are refused because the init resolves no names, and port 0 because it would
    /// pick a random port nobody can probe.
    public static func parse(_ text: String) -> HealthAddress? {
        let text = trimmed(text)
        if text.lowercased() == "off" { return .off }
        if text.isEmpty { return nil }
        if text.allSatisfy({ $0.isASCIIDigit }) { return port(text).map { .listen(host: "::", port: $0) } }

        let hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
            guard SocketAddress.family(of: String(hostText)) == AF_INET6 else { return nil }
        } else {
            // Unbracketed text holds at most one colon: an IPv6 literal needs brackets to carry a port.
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            hostText = parts[0]
            if parts.count == 2 { portText = parts[1] }
        }

        var port = defaultPort
        if let portText {
            guard let explicit = self.port(String(portText)) else { return nil }
            port = explicit
        }
        switch hostText {
        case "": return .listen(host: "::", port: port)
        case "localhost": return .listen(host: "127.0.0.1", port: port)
        default:
            guard SocketAddress.family(of: String(hostText)) != nil else { return nil }
            return .listen(host: String(hostText), port: port)
        }
    }

    /// "[::]:8558", "0.0.0.0:8558", "off".
    public var description: String {
        switch self {
        case .off: "off"
        case .listen(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    private static func port(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCIIDigit }), let value = UInt16(text), value > 0
        else { return nil }
        return value
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
