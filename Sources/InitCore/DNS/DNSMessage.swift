/// A record type (RFC 1035 TYPE). Unknown values are kept as numbers.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let aaaa = DNSRecordType(rawValue: 28)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .aaaa: "AAAA"
        default: "TYPE\(rawValue)"
        }
    }
}

/// The header's 4-bit RCODE.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    /// The names dig prints.
    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE\(rawValue)"
        }
    }
}

/// Class IN, the only one pcinit asks about.
public let dnsClassInternet: UInt16 = 1

public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: UInt16

    public init(name: DNSName, type: DNSRecordType, recordClass: UInt16 = dnsClassInternet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}

public enum DNSRecordData: Hashable, Sendable {
    /// A (4 bytes) or AAAA (16 bytes).
    case address(IPAddress)
    case canonicalName(DNSName)
    /// Any other type, uninterpreted (at most 65535 bytes: what RDLENGTH can say).
    case other([UInt8])
}

public struct DNSRecord: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var recordClass: UInt16
    /// Seconds; values with the top bit set read as 0 (RFC 2181 section 8).
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(
        name: DNSName, type: DNSRecordType, recordClass: UInt16 = dnsClassInternet, ttl: UInt32, data: DNSRecordData
    ) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }
}

/// A DNS message (RFC 1035 section 4): header flags and the four sections. `encoded()` and
/// `init(decoding:)` convert it to and from wire bytes; neither touches the system.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    public var isResponse = false
    /// 0 is a standard query.
    public var opcode: UInt8 = 0
    public var isAuthoritative = false
    /// TC: the answer did not fit the datagram.
    public var isTruncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    public var responseCode = DNSResponseCode.noError
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authorities: [DNSRecord] = []
    public var additionals: [DNSRecord] = []

    public init(id: UInt16) { self.id = id }

    /// A recursive query with one question, what a stub resolver sends.
    public static func query(id: UInt16, name: DNSName, type: DNSRecordType) -> DNSMessage {
        var message = DNSMessage(id: id)
        message.recursionDesired = true
        message.questions = [DNSQuestion(name: name, type: type)]
        return message
    }
}
