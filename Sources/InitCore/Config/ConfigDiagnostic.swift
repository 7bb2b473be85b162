/// One problem found while loading a configuration, pointing at `file:line:col`.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error
        case warning
    }

    public var severity: Severity
    public var file: String
    /// nil when the problem concerns the file as a whole (e.g. it cannot be read).
    public var location: SourceLocation?
    public var message: String

    public init(severity: Severity, file: String, location: SourceLocation?, message: String) {
        self.severity = severity
        self.file = file
        self.location = location
        self.message = message
    }

    /// `file:line:col: message` (or `file: message` without a location).
    public var description: String {
        guard let location else { return "\(file): \(message)" }
        return "\(file):\(location.line):\(location.column): \(message)"
    }

    /// `file:line:col: error: message`, the form compilers print.
    public var formatted: String {
        guard let location else { return "\(file): \(severity.rawValue): \(message)" }
        return "\(file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
    }
}

/// A place in one of the configuration files.
struct SourcePosition: Sendable, Equatable {
    var file: String
    var location: SourceLocation
}

/// Collects diagnostics while loading; `strict` turns "errors only under is_strict" into errors.
struct DiagnosticLog {
    var items: [ConfigDiagnostic] = []
    var strict = false

    var hasErrors: Bool { items.contains { $0.severity == .error } }
    var errorCount: Int { items.count { $0.severity == .error } }

    mutating func error(_ message: String, at position: SourcePosition?, file: String = "") {
        append(.error, message, position, file)
    }

    mutating func warning(_ message: String, at position: SourcePosition?, file: String = "") {
        append(.warning, message, position, file)
    }

    /// A problem process-compose only rejects under `is_strict: true`.
    mutating func strictError(_ message: String, at position: SourcePosition?) {
        append(strict ? .error : .warning, message, position, "")
    }

    private mutating func append(
        _ severity: ConfigDiagnostic.Severity, _ message: String, _ position: SourcePosition?, _ file: String
    ) {
        items.append(
            ConfigDiagnostic(
                severity: severity, file: position?.file ?? file, location: position?.location, message: message))
    }
}

/// What `ConfigLoader.load` returns: a config when there was no error, and every diagnostic either way.
public struct ConfigLoadResult: Sendable {
    public var config: ProjectConfig?
    /// Errors and warnings, ordered by file and position.
    public var diagnostics: [ConfigDiagnostic]

    public init(config: ProjectConfig?, diagnostics: [ConfigDiagnostic]) {
        self.config = config
        self.diagnostics = diagnostics
    }

    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}
