/// The addresses an answer gives for a name, after its CNAME chain.
public struct DNSAddressAnswer: Equatable, Sendable {
    public var addresses: [IPAddress]
    /// The smallest TTL along the chain: how long the whole answer may be reused.
    public var ttl: UInt32
    /// Where the chain ended (the asked name itself when there was no CNAME).
    public var canonicalName: DNSName

    public init(addresses: [IPAddress], ttl: UInt32, canonicalName: DNSName) {
        self.addresses = addresses
        self.ttl = ttl
        self.canonicalName = canonicalName
    }
}

extension DNSMessage {
    /// CNAME steps followed inside one answer; longer chains (or loops) end the walk with what was found.
    public static let maxCNAMEChain = 16

    /// Whether this message is the reply to `query`: a response with its id and opcode, echoing exactly its
    /// one question (name compared without case). A stub resolver drops anything else unread (RFC 5452).
    public func answers(_ query: DNSMessage) -> Bool {
        isResponse && id == query.id && opcode == query.opcode && questions.count == 1
            && questions == query.questions
    }

    /// The `type` records (A or AAAA) for `name` in the answer section, following CNAME records from
    /// `name` onwards inside this answer. Records of other classes, or for names off the chain, are ignored.
    public func addresses(of type: DNSRecordType, for name: DNSName) -> DNSAddressAnswer {
        var current = name
        var ttl = UInt32.max
        var visited: Set<DNSName> = [name]
        for _ in 0...DNSMessage.maxCNAMEChain {
            var found: [IPAddress] = []
            var foundTTL = UInt32.max
            for record in answers where record.recordClass == dnsClassInternet && record.name == current {
                if record.type == type, case .address(let address) = record.data,
                    address.isIPv4 == (type == .a)
                {
                    found.append(address)
                    foundTTL = min(foundTTL, record.ttl)
                }
            }
            if !found.isEmpty {
                return DNSAddressAnswer(addresses: found, ttl: min(ttl, foundTTL), canonicalName: current)
            }
            let alias = answers.first { record in
                record.recordClass == dnsClassInternet && record.type == .cname && record.name == current
            }
            guard let alias, case .canonicalName(let target) = alias.data, visited.insert(target).inserted else {
                break
            }
            ttl = min(ttl, alias.ttl)
            current = target
        }
        return DNSAddressAnswer(addresses: [], ttl: 0, canonicalName: current)
    }
}
