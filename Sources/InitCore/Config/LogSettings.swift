/// How pcinit writes lines: `x-pcinit.log_format` (`PCINIT_LOG_FORMAT`) and `x-pcinit.log_timestamps`.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// `name | line`.
    case text
    /// One JSON object per line: `time`, `service`, `stream`, `message` (and `level` on pcinit's own lines).
    case json
}

/// A service's extra file sink: process-compose's `log_location` with `log_configuration.rotation`.
public struct LogFileConfig: Sendable, Equatable {
    /// Absolute; `{PC_REPLICA_NUM}` already replaced.
    public var path: String
    /// Rotate before a write would take the file past this many bytes; nil: never rotate.
    public var maxBytes: Int?
    /// Rotated files kept as `path.1` (newest) … `path.N`.
    public var maxBackups: Int
    /// `truncate_log`: empty the file when pcinit opens it.
    public var truncate: Bool

    public init(path: String, maxBytes: Int? = nil, maxBackups: Int = 1, truncate: Bool = false) {
        self.path = path
        self.maxBytes = maxBytes
        self.maxBackups = maxBackups
        self.truncate = truncate
    }
}
