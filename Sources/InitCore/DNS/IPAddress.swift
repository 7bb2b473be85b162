/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order. Parsed and printed here, without
/// libc, so that /etc/hosts, resolv.conf and DNS answers can be handled by pure, testable code.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Dotted-quad IPv4 (`10.0.0.2`, no leading zeros, as inet_pton accepts) or IPv6 text (`::1`,
    /// `2001:db8::1`, `::ffff:10.0.0.2`). No brackets, no zone (`%eth0`): callers strip those.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if let v4 = IPAddress.parseIPv4(utf8[...]) {
            bytes = v4
        } else if let v6 = IPAddress.parseIPv6(utf8[...]) {
            bytes = v6
        } else {
            return nil
        }
    }

    public static let loopbackIPv4 = IPAddress(bytes: [127, 0, 0, 1])!

    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { return nil }
            result.append(UInt8(value))
        }
        return result
    }

    private static func parseIPv6(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        // Split around the one "::" allowed; each side is a list of groups.
        var head = text
        var tail: ArraySlice<UInt8>?
        if let gap = (text.startIndex..<text.endIndex - 1).first(where: { text[$0] == colon && text[$0 + 1] == colon })
        {
            head = text[text.startIndex..<gap]
            tail = text[(gap + 2)...]
            if tail!.first == colon { return nil }  // ":::"
        }
        guard let headGroups = groups(head, endsAddress: tail == nil) else { return nil }
        let tailGroups = tail.map { groups($0, endsAddress: true) } ?? []
        guard let tailGroups else { return nil }
        let count = headGroups.count + tailGroups.count
        if tail == nil {
            guard count == 8 else { return nil }
        } else {
            guard count <= 7 else { return nil }
        }
        let all = headGroups + [UInt16](repeating: 0, count: 8 - count) + tailGroups
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// The 16-bit groups of one side of an IPv6 address; the last one may be a dotted IPv4 (two groups).
    private static func groups(_ text: ArraySlice<UInt8>, endsAddress: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1 && endsAddress && part.contains(UInt8(ascii: ".")) {
                guard let v4 = parseIPv4(part) else { return nil }
                result += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                continue
            }
            guard (1...4).contains(part.count) else { return nil }
            var value: UInt16 = 0
            for byte in part {
                guard let digit = hexValue(byte) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            result.append(value)
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// `10.0.0.2`, or IPv6 in RFC 5952 form (`2001:db8::1`, `::ffff:10.0.0.2`), as inet_ntop prints them.
    public var description: String {
        if isIPv4 { return bytes.map { String($0) }.joined(separator: ".") }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return "::ffff:" + bytes[12...].map { String($0) }.joined(separator: ".")
        }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // The longest run of two or more zero groups (the first of equals) becomes "::".
        var best: Range<Int>?
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index >= 2 && end - index > (best?.count ?? 0) { best = index..<end }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let best else { return hex.joined(separator: ":") }
        return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
    }
}
