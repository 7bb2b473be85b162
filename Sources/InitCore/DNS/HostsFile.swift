/// /etc/hosts (hosts(5)): an address, then one or more names (canonical name and aliases), `#` starts a
/// comment. Lines whose address does not parse, such as scoped `fe80::1%eth0`, are skipped.
public struct HostsFile: Sendable {
    public struct Entry: Equatable, Sendable {
        public var address: IPAddress
        /// Lowercased.
        public var names: [String]
    }

    public private(set) var entries: [Entry] = []

    public init(parsing text: String) {
        for line in text.split(whereSeparator: { $0.isNewline }) {
            let content = line.prefix { $0 != "#" }
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let address = IPAddress(fields[0]) else { continue }
            entries.append(Entry(address: address, names: fields.dropFirst().map { $0.lowercased() }))
        }
    }

    /// Every address listed for `name` (without case, one trailing dot ignored), in file order.
    public func addresses(of name: String) -> [IPAddress] {
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        guard !key.isEmpty else { return [] }
        return entries.filter { $0.names.contains(key) }.map { $0.address }
    }
}

extension Array where Element == IPAddress {
    /// IPv4 first, each family in its original order: what pcinit connects to is the first element, and a
    /// service that listens on 0.0.0.0 only is far more common in containers than one on [::] only.
    public var preferringIPv4: [IPAddress] {
        filter { $0.isIPv4 } + filter { !$0.isIPv4 }
    }
}
