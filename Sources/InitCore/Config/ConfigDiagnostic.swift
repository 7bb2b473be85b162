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
    /// Whether `is_strict: true` is in effect. It is known only once the files are parsed and merged
    /// (`applyStrict`); what parsing them found that is_strict makes an error waits in `strictPending`.
    private(set) var strict = false
    /// Warnings that become errors under is_strict: index in `items` and the text they take as an error.
    private var strictPending: [(index: Int, errorMessage: String)] = []

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

    /// Something the YAML reader accepted although YAML 1.2 forbids it: a warning, an error under is_strict.
    mutating func yamlWarning(_ warning: YAMLWarning) {
        let position = SourcePosition(file: warning.file, location: warning.location)
        if strict {
            append(.error, warning.strictMessage, position, "")
        } else {
            strictPending.append((items.count, warning.strictMessage))
            append(.warning, warning.message, position, "")
        }
    }

    /// Sets is_strict once it is known; warnings recorded before that it makes errors become errors.
    mutating func applyStrict(_ isStrict: Bool) {
        strict = isStrict
        guard isStrict else { return }
        for pending in strictPending {
            items[pending.index].severity = .error
            items[pending.index].message = pending.errorMessage
        }
        strictPending = []
    }

    /// Appends the diagnostics of `other` that this log does not have yet (the same message at the same place):
    /// what decoding one more replica found beyond what the first one did.
    mutating func append(newFrom other: DiagnosticLog) {
        for item in other.items where !items.contains(item) { items.append(item) }
    }

    /// Appends another log's diagnostics (one file's parse), keeping what is_strict would make of them.
    mutating func append(contentsOf other: DiagnosticLog) {
        strictPending += other.strictPending.map { ($0.index + items.count, $0.errorMessage) }
        items += other.items
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
    /// The files' parsed trees, for the next load of the same files (`ConfigLoader.documentCache`).
    public var documentCache = ConfigDocumentCache()

    public init(config: ProjectConfig?, diagnostics: [ConfigDiagnostic]) {
        self.config = config
        self.diagnostics = diagnostics
    }

    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .warning } }
}
