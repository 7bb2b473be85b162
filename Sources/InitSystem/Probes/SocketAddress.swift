import CInit
import Glibc

/// Why a probe's host/port could not become a socket address.
struct AddressError: Error, CustomStringConvertible {
    var description: String
}

/// An IPv4 or IPv6 address and port, ready for `connect`.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 { Int32(storage.ss_family) }

    /// `host` may be a numeric IPv4/IPv6 address (IPv6 optionally in brackets), `localhost` or empty
    /// (both 127.0.0.1, without consulting any resolver), or a name. Names go through getaddrinfo, which
    /// blocks: /etc/hosts answers at once, DNS may take a moment. Probes in containers almost always
    /// name localhost or an address, so that cost is accepted rather than running a resolver thread.
    static func resolve(host: String, port: Int) throws(AddressError) -> SocketAddress {
        guard (1...65535).contains(port) else { throw AddressError(description: "invalid port \(port)") }
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.isEmpty || name.lowercased() == "localhost" { name = "127.0.0.1" }

        var address = SocketAddress()
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, name, &ipv4) == 1 {
            address.setIPv4(ipv4, port: port)
        } else if inet_pton(AF_INET6, name, &ipv6) == 1 {
            address.setIPv6(ipv6, port: port)
        } else {
            address = try lookUp(name, port: port)
        }
        return address
    }

    private static func lookUp(_ name: String, port: Int) throws(AddressError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0, let list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw AddressError(description: "cannot resolve \(name): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            if let found = entry.pointee.ai_addr {
                var address = SocketAddress()
                switch entry.pointee.ai_family {
                case AF_INET:
                    let ipv4 = UnsafeRawPointer(found).loadUnaligned(as: sockaddr_in.self)
                    address.setIPv4(ipv4.sin_addr, port: port)
                    return address
                case AF_INET6:
                    let ipv6 = UnsafeRawPointer(found).loadUnaligned(as: sockaddr_in6.self)
                    address.setIPv6(ipv6.sin6_addr, port: port)
                    address.withIPv6 { $0.sin6_scope_id = ipv6.sin6_scope_id }
                    return address
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        throw AddressError(description: "cannot resolve \(name): no IPv4 or IPv6 address")
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
}
