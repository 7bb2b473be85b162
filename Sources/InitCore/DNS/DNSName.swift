/// A domain name as DNS carries it: labels of raw bytes, at most 63 bytes each and 255 bytes on the wire.
/// Equality and hashing ignore ASCII case, as DNS does (RFC 4343).
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    public static let maxLabelLength = 63
    public static let maxWireLength = 255

    /// The labels without the empty root label.
    public private(set) var labels: [[UInt8]]

    /// Labels already checked against the length limits (the decoder's and `appending`'s way in).
    init(checkedLabels: [[UInt8]]) {
        labels = checkedLabels
    }

    /// A host name as written in a probe, /etc/resolv.conf or a search list: letters, digits, `-` and `_`
    /// in dot-separated labels, one trailing dot allowed. Anything else (empty labels, spaces, `:`, `%`,
    /// non-ASCII, over-long) is nil: such text is never sent to a nameserver.
    public init?(_ text: some StringProtocol) {
        var text = Substring(text)
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty else { return nil }
        var labels: [[UInt8]] = []
        for label in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...DNSName.maxLabelLength).contains(label.count), label.allSatisfy(DNSName.isHostNameByte)
            else { return nil }
            labels.append(Array(label))
        }
        guard DNSName.wireLength(of: labels) <= DNSName.maxWireLength else { return nil }
        self.labels = labels
    }

    private static func isHostNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    /// Length-prefixed labels plus the root's zero byte.
    public var wireLength: Int { DNSName.wireLength(of: labels) }

    static func wireLength(of labels: [[UInt8]]) -> Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// `self.suffix` (a search domain appended), or nil when the result would exceed 255 bytes.
    public func appending(_ suffix: DNSName) -> DNSName? {
        let joined = labels + suffix.labels
        guard DNSName.wireLength(of: joined) <= DNSName.maxWireLength else { return nil }
        return DNSName(checkedLabels: joined)
    }

    private static func lowercased(_ label: [UInt8]) -> [UInt8] {
        label.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.labels.count == rhs.labels.count
            && zip(lhs.labels, rhs.labels).allSatisfy { lowercased($0) == lowercased($1) }
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels { hasher.combine(DNSName.lowercased(label)) }
    }

    /// The name in master-file form without the trailing dot (`db.internal`); bytes outside printable
    /// ASCII, and `.` or `\` inside a label, as `\DDD` so a hostile answer cannot forge text in a message.
    public var description: String {
        if labels.isEmpty { return "." }
        return labels.map { label in
            var text = ""
            for byte in label {
                if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "\\") {
                    text.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            return text
        }.joined(separator: ".")
    }
}
