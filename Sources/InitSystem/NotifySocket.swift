import CInit

/// sd_notify receiver for one service: a unix datagram socket whose path goes into the service's
/// NOTIFY_SOCKET. A path starting with `@` names a socket in the abstract namespace (as systemd reads
/// NOTIFY_SOCKET): nothing in the file system to clean up, but visible to the whole network namespace.
public final class NotifySocket {
    /// systemd's own limit for one notification; bigger datagrams are dropped whole rather than parsed cut.
    static let datagramCap = 4096
    /// Datagrams handled per wake-up, so a chatty service cannot starve the loop (epoll comes back for more).
    static let datagramsPerWakeup = 64

    public let path: String
    private let loop: EventLoop
    private var fd: Int32 = -1
    private var watch: EventLoop.Watch?
    /// The bound socket file's identity, so `close` never unlinks a file a newer socket put at the same path.
    private var boundFile: (device: UInt, inode: UInt)?
    private let onReady: () -> Void
    private let onStatus: ((String) -> Void)?

    public init(
        loop: EventLoop,
        path: String,
        onReady: @escaping () -> Void,
        onStatus: ((String) -> Void)? = nil
    ) throws(SystemError) {
        self.loop = loop
        self.path = path
        self.onReady = onReady
        self.onStatus = onStatus

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let isAbstract = path.hasPrefix("@")
        // Abstract names keep the '@' position as a NUL byte; file paths need their terminating NUL.
        let nameBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !path.isEmpty, nameBytes.count + (isAbstract ? 0 : 1) <= capacity, !nameBytes.contains(0) else {
            throw SystemError("notify socket path \(path.debugDescription)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: nameBytes)
            if isAbstract { raw[0] = 0 }
        }
        let length = socklen_t(Int(pci_sun_path_offset()) + nameBytes.count + (isAbstract ? 0 : 1))

        if !isAbstract { try NotifySocket.removeStaleSocket(at: path) }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError("socket(AF_UNIX) for \(path)") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        if bound != 0 {
            let error = SystemError("bind \(path)")
            posixClose(fd)
            fd = -1
            throw error
        }
        var info = stat()
        if !isAbstract && lstat(path, &info) == 0 { boundFile = (UInt(info.st_dev), UInt(info.st_ino)) }
        do {
            watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in receive() }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Unwatches, closes and unlinks the socket. Idempotent.
    public func close() {
        guard fd >= 0 else { return }
        if let watch { loop.unwatch(watch) }
        watch = nil
        posixClose(fd)
        fd = -1
        var info = stat()
        if let boundFile, lstat(path, &info) == 0, UInt(info.st_dev) == boundFile.device,
            UInt(info.st_ino) == boundFile.inode
        {
            unlink(path)
        }
    }

    /// A socket left by an earlier run would make bind fail; anything else at the path is not ours to delete.
    private static func removeStaleSocket(at path: String) throws(SystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard FileKind(mode: info.st_mode) == .socket else {
            throw SystemError("notify socket path \(path) exists and is not a socket", errno: EEXIST)
        }
        if unlink(path) != 0 { throw SystemError("unlink stale \(path)") }
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: NotifySocket.datagramCap)
        for _ in 0..<NotifySocket.datagramsPerWakeup {
            guard fd >= 0 else { return }  // a callback closed us
            // MSG_TRUNC makes recv return the datagram's real size, so an oversized one is recognised.
            let size = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if size < 0 {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK {
                    Log.warning("notify socket \(path): \(SystemError.describe(errno))")
                }
                return
            }
            if size > buffer.count {
                Log.warning("notify socket \(path): dropped a \(size)-byte datagram (limit \(buffer.count))")
                continue
            }
            handle(NotifySocket.parse(buffer[..<size]))
        }
    }

    private func handle(_ message: Message) {
        for status in message.statuses { onStatus?(status) }
        if message.ready && fd >= 0 { onReady() }
    }

    /// What one datagram said.
    struct Message: Equatable {
        var ready = false
        var statuses: [String] = []
    }

    /// Newline-separated `KEY=VALUE` assignments; unknown keys (MAINPID, WATCHDOG, …) are ignored.
    static func parse(_ datagram: ArraySlice<UInt8>) -> Message {
        var message = Message()
        for line in datagram.split(separator: UInt8(ascii: "\n")) {
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = line[..<eq]
            let value = line[(eq + 1)...]
            if key.elementsEqual("READY".utf8) && value.elementsEqual("1".utf8) {
                message.ready = true
            } else if key.elementsEqual("STATUS".utf8) {
                message.statuses.append(String(decoding: value, as: UTF8.self))
            }
        }
        return message
    }
}
