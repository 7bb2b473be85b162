/// What /etc/resolv.conf (resolv.conf(5)) tells a stub resolver, read the way glibc reads it: `nameserver`
/// lines (at most 3, IPv4 or IPv6), `search` or `domain` (the last one wins; at most 6 domains), and
/// `options ndots:N timeout:N attempts:N`, each capped at glibc's limits. Lines starting with `#` or `;`
/// are comments; unknown keywords and options are ignored. Not read: glibc's fallback of the host name's
/// domain as search list, LOCALDOMAIN and RES_OPTIONS.
public struct ResolverConfiguration: Equatable, Sendable {
    public static let maxNameservers = 3
    public static let maxSearchDomains = 6
    public static let maxNdots = 15
    public static let maxTimeoutSeconds = 30
    public static let maxAttempts = 5

    /// Never empty: with no usable `nameserver` line it is 127.0.0.1, as in glibc.
    public var nameservers: [IPAddress] = [.loopbackIPv4]
    public var searchDomains: [DNSName] = []
    /// Names with at least this many dots are tried as written before the search list.
    public var ndots = 1
    /// How long to wait for one nameserver before asking the next one.
    public var timeoutSeconds = 5
    /// How many rounds over all nameservers.
    public var attempts = 2

    public init() {}

    public init(parsing text: String) {
        var servers: [IPAddress] = []
        for line in text.split(whereSeparator: { $0.isNewline }) {
            guard let first = line.first, first != "#", first != ";" else { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let keyword = fields.first, fields.count >= 2 else { continue }
            switch keyword {
            case "nameserver":
                // A scoped link-local address (fe80::1%eth0) needs an interface index: not supported.
                if servers.count < ResolverConfiguration.maxNameservers, let address = IPAddress(fields[1]) {
                    servers.append(address)
                }
            case "search":
                searchDomains = fields.dropFirst().compactMap { DNSName($0) }
                    .prefix(ResolverConfiguration.maxSearchDomains).map { $0 }
            case "domain":
                searchDomains = DNSName(fields[1]).map { [$0] } ?? []
            case "options":
                for option in fields.dropFirst() { apply(option: option) }
            default:
                continue
            }
        }
        if !servers.isEmpty { nameservers = servers }
    }

    private mutating func apply(option: Substring) {
        let parts = option.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let value = Int(parts[1]), value >= 0 else { return }
        switch parts[0] {
        case "ndots": ndots = min(value, ResolverConfiguration.maxNdots)
        // glibc waits at least a second and tries at least once.
        case "timeout": timeoutSeconds = max(1, min(value, ResolverConfiguration.maxTimeoutSeconds))
        case "attempts": attempts = max(1, min(value, ResolverConfiguration.maxAttempts))
        default: return
        }
    }

    /// The names to ask for, in order, as glibc's res_search does: a name ending in a dot only as written;
    /// a name with at least `ndots` dots as written first, then with each search domain; one with fewer dots
    /// with each search domain first and as written last. Empty when `host` is not a valid host name.
    public func candidates(for host: String) -> [DNSName] {
        guard let name = DNSName(host) else { return [] }
        if host.hasSuffix(".") { return [name] }
        let dots = name.labels.count - 1
        var names: [DNSName] = []
        if dots >= ndots { names.append(name) }
        for domain in searchDomains {
            if let full = name.appending(domain), !names.contains(full) { names.append(full) }
        }
        if dots < ndots && !names.contains(name) { names.append(name) }
        return names
    }
}
