import Glibc

/// A numeric IPv4 or IPv6 socket address, built without name resolution (the init never resolves names).
struct HealthSocketAddress {
    private var storage = sockaddr_storage()
    private(set) var length: socklen_t = 0

    /// AF_INET or AF_INET6 when `host` is a numeric literal of that family.
    static func family(of host: String) -> Int32? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return AF_INET }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return AF_INET6 }
        return nil
    }

    init?(host: String, port: UInt16) {
        switch HealthSocketAddress.family(of: host) {
        case AF_INET:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            store(address)
        case AF_INET6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            store(address)
        default:
            return nil
        }
    }

    /// Wraps an address the kernel filled in (accept, getsockname).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    private mutating func store<T>(_ address: T) {
        withUnsafeMutableBytes(of: &storage) { raw in
            withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
        }
        length = socklen_t(MemoryLayout<T>.size)
    }

    var family: Int32 { Int32(storage.ss_family) }

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
    static func local(of fd: Int32) -> HealthSocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutableBytes(of: &storage) { raw in
            getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return result == 0 ? HealthSocketAddress(storage: storage, length: length) : nil
    }
}
