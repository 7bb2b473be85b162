import CInit
import InitCore

/// An IPv4 or IPv6 address and port: what probes connect to, the health listener binds to, and the kernel
/// reports for peers.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 { Int32(storage.ss_family) }

    /// Empty, to be filled by `setIPv4`/`setIPv6`.
    private init() {}

    /// An address a probe can use without any lookup: a numeric IPv4 or IPv6 address (IPv6 optionally in
    /// brackets, optionally with a `%zone`: an interface name or index), or `localhost` or empty (both
    /// 127.0.0.1, as before: no /etc/hosts read for them). nil for a name, which `HostResolver` resolves.
    static func literal(host: String, port: Int) -> SocketAddress? {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.isEmpty || name.lowercased() == "localhost" || name.lowercased() == "localhost." {
            name = "127.0.0.1"
        }
        var address = SocketAddress()
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            address.setIPv4(ipv4, port: port)
            return address
        }
        let parts = name.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        guard inet_pton(AF_INET6, String(parts[0]), &ipv6) == 1 else { return nil }
        address.setIPv6(ipv6, port: port)
        if parts.count == 2 {
            // if_nametoindex asks the kernel (an ioctl), not NSS.
            let scope = UInt32(parts[1]) ?? if_nametoindex(String(parts[1]))
            guard scope != 0 else { return nil }
            address.withIPv6 { $0.sin6_scope_id = scope }
        }
        return address
    }

    /// An address from /etc/hosts or a DNS answer.
    init(_ ip: IPAddress, port: Int) {
        if ip.isIPv4 {
            var ipv4 = in_addr()
            withUnsafeMutableBytes(of: &ipv4) { $0.copyBytes(from: ip.bytes) }
            setIPv4(ipv4, port: port)
        } else {
            var ipv6 = in6_addr()
            withUnsafeMutableBytes(of: &ipv6) { $0.copyBytes(from: ip.bytes) }
            setIPv6(ipv6, port: port)
        }
    }

    private mutating func setIPv4(_ ip: in_addr, port: Int) {
        var ipv4 = sockaddr_in()
        ipv4.sin_family = sa_family_t(AF_INET)
        ipv4.sin_port = UInt16(port).bigEndian
        ipv4.sin_addr = ip
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv4, as: sockaddr_in.self) }
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    private mutating func setIPv6(_ ip: in6_addr, port: Int) {
        var ipv6 = sockaddr_in6()
        ipv6.sin6_family = sa_family_t(AF_INET6)
        ipv6.sin6_port = UInt16(port).bigEndian
        ipv6.sin6_addr = ip
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv6, as: sockaddr_in6.self) }
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    }

    private mutating func withIPv6(_ body: (inout sockaddr_in6) -> Void) {
        var ipv6 = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
        body(&ipv6)
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv6, as: sockaddr_in6.self) }
    }

    /// The numeric address and port, `127.0.0.1:80` or `[::1]:80`.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var port: UInt16 = 0
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET {
                var ipv4 = raw.load(as: sockaddr_in.self)
                port = UInt16(bigEndian: ipv4.sin_port)
                inet_ntop(AF_INET, &ipv4.sin_addr, &text, socklen_t(text.count))
            } else {
                var ipv6 = raw.load(as: sockaddr_in6.self)
                port = UInt16(bigEndian: ipv6.sin6_port)
                inet_ntop(AF_INET6, &ipv6.sin6_addr, &text, socklen_t(text.count))
            }
        }
        let ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    // MARK: - Numeric addresses (the health listener and its client never resolve names)

    /// AF_INET or AF_INET6 when `host` is a numeric literal of that family.
    static func family(of host: String) -> Int32? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return AF_INET }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return AF_INET6 }
        return nil
    }

    /// A numeric IPv4 or IPv6 literal and a port (0 allowed: bind to any port); nil for anything else.
    init?(host: String, port: UInt16) {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            setIPv4(ipv4, port: Int(port))
        } else if inet_pton(AF_INET6, host, &ipv6) == 1 {
            setIPv6(ipv6, port: Int(port))
        } else {
            return nil
        }
    }

    /// Wraps an address the kernel filled in (accept, getsockname).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: 0
            }
        }
    }

    /// 127.0.0.0/8, ::1, or an IPv4-mapped 127.x (what a dual-stack socket reports for IPv4 loopback peers).
    var isLoopback: Bool {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                return withUnsafeBytes(of: raw.load(as: sockaddr_in.self).sin_addr) { $0[0] == 127 }
            case AF_INET6:
                return withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr) { bytes in
                    let zeroPrefix = bytes[0..<10].allSatisfy { $0 == 0 }
                    let loopback6 = zeroPrefix && bytes[10..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
                    let mapped127 = zeroPrefix && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
                    return loopback6 || mapped127
                }
            default:
                return false
            }
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The local address bound to `fd`.
    static func local(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutableBytes(of: &storage) { raw in
            getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return result == 0 ? SocketAddress(storage: storage, length: length) : nil
    }
}
