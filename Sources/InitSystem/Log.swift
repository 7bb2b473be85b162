import CInit
import InitCore

/// pcinit's own voice on stderr: `pcinit | message` (or one JSON object per line with `log_format: json`).
/// Written with write(2), never buffered, so nothing is lost when the process ends or is killed, and lines
/// from one write never tear.
public enum Log {
    public enum Level: Int, Comparable, Sendable {
        case error = 0
        case warning
        case info
        case debug

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        /// `error`, `warn`/`warning`, `info`, `debug` (case-insensitive); nil for anything else.
        /// The `level` of a JSON line.
        public var name: String {
            switch self {
            case .error: return "error"
            case .warning: return "warn"
            case .info: return "info"
            case .debug: return "debug"
            }
        }

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
    nonisolated(unsafe) public static var format: LogFormat = .text
    /// Text lines start with the time (RFC 3339, UTC, milliseconds).
    nonisolated(unsafe) public static var timestamps = false
    /// Where messages go instead of a direct write to fd 2: config mode routes them through its stderr
    /// queue, so they stay in order with relayed service lines and a slow reader never blocks the loop.
    nonisolated(unsafe) public static var sink: ((String) -> Void)?

    public static func error(_ message: @autoclosure () -> String) { emit(.error, message) }
    public static func warning(_ message: @autoclosure () -> String) { emit(.warning, message) }
    public static func info(_ message: @autoclosure () -> String) { emit(.info, message) }
    public static func debug(_ message: @autoclosure () -> String) { emit(.debug, message) }

    private static func emit(_ at: Level, _ message: () -> String) {
        guard at <= level else { return }
        always(at, message())
    }

    /// Writes `message` whatever the level (config diagnostics are always shown).
    public static func always(_ at: Level, _ message: String) {
        let line = render(at, message)
        if let sink { sink(line) } else { writeAll(fd: 2, line) }
    }

    /// Sets the text prefix: `pcinit` padded to `width` (the services' names' width), coloured if asked.
    public static func setPrefix(width: Int, colour: Bool) {
        let name = "pcinit" + String(repeating: " ", count: max(0, width - 6))
        prefix = (colour ? TerminalStyle.bold(name + " |") : name + " |") + " "
    }

    static func render(_ at: Level, _ message: String) -> String {
        switch format {
        case .text:
            guard timestamps else { return prefix + message + "\n" }
            return String(decoding: WallClock.timestamp(), as: UTF8.self) + " " + prefix + message + "\n"
        case .json:
            var out = Array(#"{"time":""#.utf8)
            out += WallClock.timestamp()
            out += #"","level":""#.utf8
            out += at.name.utf8
            out += #"","service":"pcinit","stream":"pcinit","message":"#.utf8
            LogLineEncoding.appendJSONString(message, to: &out)
            out += "}\n".utf8
            return String(decoding: out, as: UTF8.self)
        }
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
