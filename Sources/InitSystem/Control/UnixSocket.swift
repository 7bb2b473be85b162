import CInit

/// The file-system unix stream socket plumbing shared by the control server and client.
enum UnixSocket {
    /// A `sockaddr_un` for a file path; ENAMETOOLONG when it does not fit sun_path (108 bytes).
    static func address(_ path: String) throws(SystemError) -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path), !bytes.contains(0) else {
            throw SystemError("socket path \(path.debugDescription)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = Int(pci_sun_path_offset()) + bytes.count + 1
        return (address, socklen_t(length))
    }

    /// A new AF_UNIX stream socket, close-on-exec, optionally non-blocking.
    static func make(nonblocking: Bool) throws(SystemError) -> Int32 {
        var type = SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue
        if nonblocking { type |= SOCK_NONBLOCK.rawValue }
        let fd = socket(AF_UNIX, Int32(type), 0)
        if fd < 0 { throw SystemError("socket(AF_UNIX)") }
        return fd
    }

    /// connect(2); returns 0 or the errno it failed with.
    static func connect(_ fd: Int32, to address: sockaddr_un, length: socklen_t) -> Int32 {
        var address = address
        while true {
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { posixConnect(fd, $0, length) }
            }
            if result == 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    /// Makes `path` free for bind: nothing there, or a socket nobody answers on (left by a crashed run),
    /// which is removed. A live listener (another pcinit) or a non-socket file is refused, never deleted.
    static func clearStale(_ path: String) throws(SystemError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw SystemError("stat \(path)")
        }
        guard FileKind(mode: info.st_mode) == .socket else {
            throw SystemError("\(path) exists and is not a socket", errno: EEXIST)
        }
        let (address, length) = try UnixSocket.address(path)
        let probe = try make(nonblocking: true)
        defer { posixClose(probe) }
        let result = connect(probe, to: address, length: length)
        switch result {
        case ECONNREFUSED:
            if unlink(path) != 0 && errno != ENOENT { throw SystemError("remove stale socket \(path)") }
        case ENOENT:
            return
        case 0, EAGAIN, EINPROGRESS:
            let owner = listenerPID(probe).map { " (pid \($0))" } ?? ""
            throw SystemError("another pcinit\(owner) is already listening on \(path)", errno: EADDRINUSE)
        default:
            throw SystemError("check existing socket \(path)", errno: result)
        }
    }

    /// The pid of the process that listens at the other end of a connected socket (SO_PEERCRED), as our pid
    /// namespace sees it; nil when unknown (0: it lives in a namespace we cannot see).
    static func listenerPID(_ fd: Int32) -> pid_t? {
        let pid = pci_peer_pid(fd)
        return pid > 0 ? pid : nil
    }

    /// The file's identity, so `close` only unlinks the socket this process bound (not a successor's).
    static func identity(_ path: String) -> (dev_t, ino_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_dev, info.st_ino)
    }
}
