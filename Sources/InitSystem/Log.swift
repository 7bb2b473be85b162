import Glibc

/// pcinit's own voice on stderr: `pcinit | message`. Written with write(2), never buffered, so nothing is
/// lost when the process ends or is killed, and lines from one write never tear.
public enum Log {
    public enum Level: Int, Comparable, Sendable {
        case error = 0
        case warning
        case info
        case debug

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        /// `error`, `warn`/`warning`, `info`, `debug` (case-insensitive); nil for anything else.
        public init?(name: String) {
            switch name.lowercased() {
            case "error": self = .error
            case "warn", "warning": self = .warning
            case "info": self = .info
            case "debug", "trace": self = .debug
            default: return nil
            }
        }
    }

    /// Set once at start-up; pcinit is single-threaded.
    nonisolated(unsafe) public static var level: Level = .info
    nonisolated(unsafe) public static var prefix = "pcinit | "
    /// Where messages go instead of a direct write to fd 2: config mode routes them through its stderr
    /// queue, so they stay in order with relayed service lines and a slow reader never blocks the loop.
    nonisolated(unsafe) public static var sink: ((String) -> Void)?

    public static func error(_ message: @autoclosure () -> String) { emit(.error, message) }
    public static func warning(_ message: @autoclosure () -> String) { emit(.warning, message) }
    public static func info(_ message: @autoclosure () -> String) { emit(.info, message) }
    public static func debug(_ message: @autoclosure () -> String) { emit(.debug, message) }

    private static func emit(_ at: Level, _ message: () -> String) {
        guard at <= level else { return }
        let line = prefix + message() + "\n"
        if let sink { sink(line) } else { writeAll(fd: 2, line) }
    }

    /// Writes every byte, retrying on EINTR and short writes; gives up silently on other errors
    /// (a closed stderr must not take the init down).
    public static func writeAll(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in writeAll(fd: fd, buffer) }
    }

    public static func writeAll(fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
        guard var base = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    waitWritable(fd)
                    continue
                }
                return
            }
            base += n
            left -= n
        }
    }

    /// Our stdout/stderr may be a non-blocking pipe shared with a container runtime: wait briefly.
    private static func waitWritable(_ fd: Int32) {
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&pfd, 1, 1000)
    }
}
