/// Why bytes are not a DNS message. Decoding never traps: every read is bounds-checked.
public enum DNSDecodingError: Error, Equatable, Sendable {
    /// The message ends inside the header, a name or a record.
    case truncated
    /// A label length byte with the reserved 0x40/0x80 prefixes.
    case badLabelType
    /// A compression pointer that does not point strictly backwards, or too many of them in one name.
    case badPointer
    /// A name longer than 255 bytes once decompressed.
    case nameTooLong
    /// RDATA whose length does not fit its type (an A record that is not 4 bytes, a CNAME with bytes after
    /// its name).
    case badRecordData(DNSRecordType)
}

extension DNSMessage {
    /// More pointers than any sane name needs (a 255-byte name has at most 127 labels, servers use one).
    public static let maxPointersPerName = 64

    /// Decodes all four sections; bytes after the last record are ignored. Work is linear in the input:
    /// every record consumes at least 11 bytes and every name is capped.
    public init(decoding bytes: [UInt8]) throws(DNSDecodingError) {
        var reader = DNSReader(bytes: bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        opcode = UInt8((flags >> 11) & 0x0F)
        isAuthoritative = flags & 0x0400 != 0
        isTruncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        responseCode = DNSResponseCode(rawValue: UInt8(flags & 0x000F))
        let questionCount = try reader.u16()
        let answerCount = try reader.u16()
        let authorityCount = try reader.u16()
        let additionalCount = try reader.u16()
        for _ in 0..<questionCount {
            let name = try reader.name()
            let type = DNSRecordType(rawValue: try reader.u16())
            questions.append(DNSQuestion(name: name, type: type, recordClass: try reader.u16()))
        }
        for _ in 0..<answerCount { answers.append(try reader.record()) }
        for _ in 0..<authorityCount { authorities.append(try reader.record()) }
        for _ in 0..<additionalCount { additionals.append(try reader.record()) }
    }
}

/// A cursor over a message's bytes.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func u8() throws(DNSDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSDecodingError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSDecodingError) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    mutating func take(_ count: Int) throws(DNSDecodingError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A possibly compressed name. A pointer must point before the place it was read from, so following
    /// pointers always moves backwards and can never loop; the pointer count is capped as well.
    mutating func name() throws(DNSDecodingError) -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        var pointers = 0
        var resumeAt: Int?
        while true {
            guard position < bytes.count else { throw .truncated }
            let length = Int(bytes[position])
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(checkedLabels: labels)
                }
                guard position + 1 + length <= bytes.count else { throw .truncated }
                wireLength += 1 + length
                guard wireLength <= DNSName.maxWireLength else { throw .nameTooLong }
                labels.append(Array(bytes[(position + 1)..<(position + 1 + length)]))
                position += 1 + length
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                pointers += 1
                guard target < position, pointers <= DNSMessage.maxPointersPerName else { throw .badPointer }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
            default:
                throw .badLabelType
            }
        }
    }

    mutating func record() throws(DNSDecodingError) -> DNSRecord {
        let name = try name()
        let type = DNSRecordType(rawValue: try u16())
        let recordClass = try u16()
        let rawTTL = try u32()
        let length = Int(try u16())
        guard length <= bytes.count - offset else { throw .truncated }
        let end = offset + length
        let data: DNSRecordData
        switch type {
        case .a, .aaaa:
            guard length == (type == .a ? 4 : 16) else { throw .badRecordData(type) }
            data = .address(IPAddress(bytes: try take(length))!)
        case .cname:
            // The target may point anywhere before it, but must end exactly where RDATA ends.
            let target = try self.name()
            guard offset == end else { throw .badRecordData(type) }
            data = .canonicalName(target)
        default:
            data = .other(try take(length))
        }
        let ttl = rawTTL > UInt32(Int32.max) ? 0 : rawTTL
        return DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }
}
