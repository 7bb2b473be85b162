import CInit

/// Where the resolver reads its configuration, and its bounds. Tests point the paths at their own files
/// and the port at a DNS server of their own on loopback.
struct ResolverSettings {
    var hostsPath = "/etc/hosts"
    var resolvConfPath = "/etc/resolv.conf"
    /// The UDP port every nameserver is asked on (resolv.conf has no port syntax).
    var nameserverPort: UInt16 = 53
    /// Host names whose answers are kept (for their TTL, at most `maxCacheSeconds`).
    var cacheCapacity = 64
    var maxCacheSeconds: UInt32 = 3600
    /// Lookups in flight at once; one more fails at once instead of opening more sockets.
    var maxLookups = 256
    /// Bytes read from either file; a longer file is cut there.
    var maxFileBytes = 1 << 20
}

enum ResolverFiles {
    /// The file's first `limit` bytes as text, or nil if it cannot be read (missing is normal for both
    /// files). Read synchronously on the loop: both are small local files (never a network mount in a
    /// container), so this costs microseconds, unlike the DNS traffic that follows.
    static func read(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while bytes.count < limit {
            let wanted = min(buffer.count, limit - bytes.count)
            let count = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, wanted) }
            if count > 0 {
                bytes += buffer[..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
