extension DNSMessage {
    /// Wire bytes, names compressed (RFC 1035 section 4.1.4): a name whose suffix was written before
    /// ends in a pointer to it. Section counts above 65535 and RDATA above 65535 bytes are cut to fit.
    public func encoded() -> [UInt8] {
        var writer = DNSWriter()
        writer.u16(id)
        var flags: UInt16 = UInt16(opcode & 0x0F) << 11 | UInt16(responseCode.rawValue & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        writer.u16(flags)
        let questions = questions.prefix(65535)
        let sections = [answers, authorities, additionals].map { $0.prefix(65535) }
        writer.u16(UInt16(questions.count))
        for section in sections { writer.u16(UInt16(section.count)) }
        for question in questions {
            writer.name(question.name)
            writer.u16(question.type.rawValue)
            writer.u16(question.recordClass)
        }
        for section in sections {
            for record in section { writer.record(record) }
        }
        return writer.bytes
    }
}

struct DNSWriter {
    var bytes: [UInt8] = []
    /// Where each name suffix already written starts; only offsets a 14-bit pointer can reach.
    private var suffixOffsets: [DNSName: Int] = [:]

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }

    mutating func name(_ name: DNSName) {
        let labels = name.labels
        for index in labels.indices {
            let suffix = DNSName(checkedLabels: Array(labels[index...]))
            if let earlier = suffixOffsets[suffix] {
                u16(0xC000 | UInt16(earlier))
                return
            }
            if bytes.count < 0x4000 { suffixOffsets[suffix] = bytes.count }
            bytes.append(UInt8(labels[index].count))
            bytes += labels[index]
        }
        bytes.append(0)
    }

    mutating func record(_ record: DNSRecord) {
        name(record.name)
        u16(record.type.rawValue)
        u16(record.recordClass)
        u32(record.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch record.data {
        case .address(let address): bytes += address.bytes
        case .canonicalName(let target): name(target)
        case .other(let data): bytes += data.prefix(65535)
        }
        let length = UInt16(clamping: bytes.count - lengthAt - 2)
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
