import CInit
import InitCore

/// A service's `log_location`: its lines are appended to a file as well as relayed, rotated by size
/// (`path` → `path.1` → … → `path.N`, the oldest dropped). Written with plain write(2): a regular file is
/// always writable and epoll cannot watch one. Opened on the first line, kept open across restarts.
final class LogFileSink {
    let config: LogFileConfig
    private var fd: Int32 = -1
    private var size = 0
    private var failed = false
    private var truncateOnOpen: Bool

    init(config: LogFileConfig) {
        self.config = config
        truncateOnOpen = config.truncate
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, !failed else { return }
        if fd < 0 && !open() { return }
        if let maxBytes = config.maxBytes, size > 0, size + bytes.count > maxBytes {
            rotate()
            if fd < 0 && !open() { return }
        }
        bytes.withUnsafeBufferPointer { Log.writeAll(fd: fd, $0) }
        size += bytes.count
    }

    private func open() -> Bool {
        makeParentDirectories()
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncateOnOpen ? O_TRUNC : 0)
        truncateOnOpen = false
        fd = InitSystem.open(config.path, flags, 0o644)
        guard fd >= 0 else {
            // Said once: a file that cannot be opened must not turn every line into a warning.
            failed = true
            Log.warning("cannot open log file \(config.path): \(SystemError.describe(errno)); lines go to stdout only")
            return false
        }
        var status = stat()
        size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        return true
    }

    private func rotate() {
        close(fd)
        fd = -1
        for index in stride(from: config.maxBackups - 1, through: 1, by: -1) {
            rename("\(config.path).\(index)", "\(config.path).\(index + 1)")
        }
        rename(config.path, "\(config.path).1")
        size = 0
    }

    /// `mkdir -p` of the file's directory, as process-compose's logger does.
    private func makeParentDirectories() {
        var path = ""
        let parts = config.path.split(separator: "/").dropLast()
        for part in parts {
            path += "/" + part
            mkdir(path, 0o755)
        }
    }
}
