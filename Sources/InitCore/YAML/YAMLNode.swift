/// A position in a source file, 1-based, as printed in `file:line:col` diagnostics.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written; the schema layer needs it (a quoted `"8080"` is a string, plain `8080` may be an int).
public enum ScalarStyle: String, Sendable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// One node of a parsed YAML document. Aliases are already expanded and merge keys (`<<`) already applied,
/// so consumers see plain trees; every node keeps where it came from.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// `text` is the scalar's value after unescaping and folding; `style` says how it was written.
        case scalar(text: String, style: ScalarStyle)
        case sequence([YAMLNode])
        /// Entries in source order (merged entries first where `<<` supplied them, then explicit ones).
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public var content: Content
    public var location: SourceLocation
    /// An explicit tag such as `!!str`, if the source had one.
    public var tag: String?
    /// A plain scalar that spans lines, as written (from its first character to its last): folding turned
    /// its line breaks into spaces, and a reader that gives the lines a meaning needs them back.
    public var sourceText: String?

    public init(_ content: Content, location: SourceLocation, tag: String? = nil, sourceText: String? = nil) {
        self.content = content
        self.location = location
        self.tag = tag
        self.sourceText = sourceText
    }
}

/// A reader error with the place it was found.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation
    public var message: String

    public init(file: String, location: SourceLocation, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String { "\(file):\(location.line):\(location.column): \(message)" }
}

/// Something YAML 1.2 forbids that the reader accepts anyway, because libyaml does: go-yaml, which
/// process-compose reads its files with, is a port of it, so rejecting these would break files that run there.
public struct YAMLWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation
    /// What is off, e.g. "this line of a flow sequence is not indented past its key".
    public var problem: String
    /// What YAML 1.2 asks for instead, e.g. "YAML 1.2 requires at least 1 space of indentation here, found 0".
    public var requirement: String

    public init(file: String, location: SourceLocation, problem: String, requirement: String) {
        self.file = file
        self.location = location
        self.problem = problem
        self.requirement = requirement
    }

    /// The text of the warning.
    public var message: String { "\(problem) (\(requirement); accepted, as process-compose's YAML library does)" }

    /// The text when the warning is made an error (`is_strict: true`).
    public var strictMessage: String {
        "\(problem) (\(requirement); an error under is_strict, although process-compose's YAML library accepts it)"
    }

    public var description: String { "\(file):\(location.line):\(location.column): warning: \(message)" }
}
