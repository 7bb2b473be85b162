import CInit
import InitCore

/// The few file-system questions the core's injected readers ask.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && FileKind(mode: status.st_mode) == .directory
    }

    /// The whole file as UTF-8 text (invalid bytes replaced).
    public static func read(_ path: String) -> FileContents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            return errno == ENOENT ? .missing : .unreadable(reason: SystemError.describe(errno))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += buffer[..<n]
            } else if n == 0 {
                return .text(String(decoding: bytes, as: UTF8.self))
            } else if errno != EINTR {
                return .unreadable(reason: SystemError.describe(errno))
            }
        }
    }

    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A private directory for this pcinit's notify sockets, made fresh with mkdtemp under /run/pcinit (or
    /// $TMPDIR/pcinit): pids are no names here, since every pcinit in a container is PID 1.
    public static func runtimeDirectory() -> String {
        let base =
            makePrivateDirectory("/run/pcinit") ?? makePrivateDirectory(
                (ProcessEnvironment.value("TMPDIR") ?? "/tmp") + "/pcinit") ?? "/tmp"
        var template = Array("\(base)/XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return base }
        return String(cString: made)
    }

    private static func makePrivateDirectory(_ path: String) -> String? {
        if mkdir(path, 0o700) == 0 || errno == EEXIST && isDirectory(path) && access(path, W_OK) == 0 { return path }
        return nil
    }
}
