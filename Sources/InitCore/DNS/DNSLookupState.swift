/// How one DNS query (one name, one record type, over the nameservers) ended.
public enum DNSQueryOutcome: Equatable, Sendable {
    /// NOERROR with what the answer holds for the name: maybe no address (the name exists without a
    /// record of that type).
    case answered(DNSAddressAnswer, server: String)
    /// NXDOMAIN: the name does not exist.
    case nameError(server: String)
    /// SERVFAIL, REFUSED… from every nameserver that replied (`server`: the last one).
    case serverError(DNSResponseCode, server: String)
    /// The TC bit: the answer did not fit a UDP datagram, and there is no TCP fallback.
    case truncated(server: String)
    /// No nameserver replied usably; `summary` says what happened with each.
    case noResponse(summary: String)
}

/// One host lookup over its candidate names (the search list), asking A and AAAA for each candidate at
/// once. IPv4 wins: an A answer with addresses ends the lookup without waiting for AAAA, and AAAA addresses
/// are used only when A has none. A candidate that does not exist, has no address or gets SERVFAIL moves
/// on to the next candidate (as glibc does); silence and truncation end the lookup, since the next name
/// would go to the same nameservers. Pure: the caller runs the queries and feeds the outcomes in.
public struct DNSLookupState: Sendable {
    public enum Step: Equatable, Sendable {
        /// Ask A and AAAA for this name (dropping any queries still running for an earlier one).
        case query(DNSName)
        /// IPv4 first; `ttl`: how long the answer may be cached.
        case succeeded([IPAddress], ttl: UInt32)
        /// The probe's detail: `cannot resolve db.internal: NXDOMAIN from 10.0.0.2`.
        case failed(String)
    }

    private let host: String
    private let candidates: [DNSName]
    private var index = 0
    private var ipv4: DNSQueryOutcome?
    private var ipv6: DNSQueryOutcome?
    private var failures: [(name: DNSName, reason: String)] = []

    public init(host: String, candidates: [DNSName]) {
        self.host = host
        self.candidates = candidates
    }

    public func start() -> Step {
        guard let first = candidates.first else { return .failed("cannot resolve \(host): invalid host name") }
        return .query(first)
    }

    /// Takes the outcome of the current candidate's A or AAAA query; nil while the other one is still needed.
    public mutating func record(_ outcome: DNSQueryOutcome, for type: DNSRecordType) -> Step? {
        guard index < candidates.count else { return nil }
        switch type {
        case .a: ipv4 = outcome
        case .aaaa: ipv6 = outcome
        default: return nil
        }
        if let answer = DNSLookupState.addresses(ipv4) {
            let extra = DNSLookupState.addresses(ipv6)
            index = candidates.count
            return .succeeded(answer.addresses + (extra?.addresses ?? []), ttl: min(answer.ttl, extra?.ttl ?? .max))
        }
        for case .nameError(let server) in [ipv4, ipv6] {
            return candidateFailed("NXDOMAIN from \(server)", searchOn: true)
        }
        guard let ipv4, let ipv6 else { return nil }
        if let answer = DNSLookupState.addresses(ipv6) {
            index = candidates.count
            return .succeeded(answer.addresses, ttl: answer.ttl)
        }
        if case .answered(_, let server) = ipv4, case .answered = ipv6 {
            return candidateFailed("no A or AAAA record from \(server)", searchOn: true)
        }
        if ipv4 == ipv6 { return candidateFailed(Self.reason(ipv4), searchOn: Self.isDefinitive(ipv4)) }
        let searchOn = Self.isDefinitive(ipv4) || Self.isDefinitive(ipv6)
        return candidateFailed("A: \(Self.reason(ipv4)); AAAA: \(Self.reason(ipv6))", searchOn: searchOn)
    }

    private mutating func candidateFailed(_ reason: String, searchOn: Bool) -> Step {
        failures.append((candidates[index], reason))
        ipv4 = nil
        ipv6 = nil
        index += 1
        if searchOn && index < candidates.count { return .query(candidates[index]) }
        index = candidates.count
        // The name as written says most; the others are listed so a search-list surprise is visible.
        let asWritten = DNSName(host)
        let main = failures.last { $0.name == asWritten } ?? failures[failures.count - 1]
        let subject = main.name == asWritten ? host : "\(host) (as \(main.name))"
        var detail = "cannot resolve \(subject): \(main.reason)"
        let others = failures.filter { $0.name != main.name }.map { $0.name.description }
        if !others.isEmpty { detail += " (also tried \(others.joined(separator: ", ")))" }
        return .failed(detail)
    }

    private static func addresses(_ outcome: DNSQueryOutcome?) -> DNSAddressAnswer? {
        guard case .answered(let answer, _) = outcome, !answer.addresses.isEmpty else { return nil }
        return answer
    }

    /// A reply about the name itself, so another candidate may fare better.
    private static func isDefinitive(_ outcome: DNSQueryOutcome) -> Bool {
        switch outcome {
        case .answered, .nameError, .serverError: true
        case .truncated, .noResponse: false
        }
    }

    private static func reason(_ outcome: DNSQueryOutcome) -> String {
        switch outcome {
        case .answered(_, let server): "no address from \(server)"
        case .nameError(let server): "NXDOMAIN from \(server)"
        case .serverError(let code, let server): "\(code) from \(server)"
        case .truncated(let server): "truncated answer from \(server) (too large for UDP; no TCP fallback)"
        case .noResponse(let summary): summary
        }
    }
}
