import CInit

/// Creates the health listener's socket: non-blocking, close-on-exec, SO_REUSEADDR, dual stack for "::".
enum HealthListenSocket {
    /// Large enough that a burst of probes (or an attack) queues instead of being dropped; the kernel caps it
    /// at somaxconn.
    static let backlog: Int32 = 512

    static func open(host: String, port: UInt16) throws(SystemError) -> Int32 {
        guard let address = SocketAddress(host: host, port: port) else {
            throw SystemError("health address \(host): not a numeric IP address", errno: EINVAL)
        }
        do throws(SystemError) {
            return try bindAndListen(address, dualStack: host == "::")
        } catch {
            // No IPv6 in this kernel or namespace: serve IPv4 on every interface instead.
            let ipv6Missing = [EAFNOSUPPORT, EADDRNOTAVAIL, EPROTONOSUPPORT].contains(error.errno)
            guard host == "::", ipv6Missing, let fallback = SocketAddress(host: "0.0.0.0", port: port) else {
                throw error
            }
            Log.debug("health: IPv6 unavailable (\(error)); listening on 0.0.0.0:\(port)")
            return try bindAndListen(fallback, dualStack: false)
        }
    }

    private static func bindAndListen(_ address: SocketAddress, dualStack: Bool) throws(SystemError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = socket(address.family, type, 0)
        if fd < 0 { throw SystemError("socket") }
        do throws(SystemError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
            if dualStack { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0, "IPV6_V6ONLY") }
            let bound = address.withSockaddr { bind(fd, $0, $1) }
            if bound != 0 { throw SystemError("bind health port \(address.port)") }
            if listen(fd, backlog) != 0 { throw SystemError("listen") }
            return fd
        } catch {
            posixClose(fd)
            throw error
        }
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String)
        throws(SystemError)
    {
        var value = value
        if setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            throw SystemError("setsockopt \(label)")
        }
    }
}
