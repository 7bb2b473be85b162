/// A YAML node that also knows which file it came from, so merged trees still point at the right
/// `file:line:col`. Mapping keys are plain strings (config keys are always scalars).
struct ConfigNode: Sendable {
    enum Content: Sendable {
        case scalar(text: String, style: ScalarStyle)
        case sequence([ConfigNode])
        case mapping([ConfigEntry])
    }

    var content: Content
    var position: SourcePosition
    var tag: String?
    /// A multi-line plain scalar as written (see `YAMLNode.sourceText`).
    var sourceText: String?

    init(_ content: Content, position: SourcePosition, tag: String? = nil, sourceText: String? = nil) {
        self.content = content
        self.position = position
        self.tag = tag
        self.sourceText = sourceText
    }

    /// Converts a parsed document; a non-scalar mapping key is reported and its entry dropped.
    init(_ node: YAMLNode, file: String, log: inout DiagnosticLog) {
        let position = SourcePosition(file: file, location: node.location)
        switch node.content {
        case .scalar(let text, let style):
            self.init(.scalar(text: text, style: style), position: position, tag: node.tag, sourceText: node.sourceText)
        case .sequence(let items):
            self.init(.sequence(items.map { ConfigNode($0, file: file, log: &log) }), position: position, tag: node.tag)
        case .mapping(let pairs):
            var entries: [ConfigEntry] = []
            entries.reserveCapacity(pairs.count)
            for (key, value) in pairs {
                let keyPosition = SourcePosition(file: file, location: key.location)
                guard case .scalar(let text, _) = key.content else {
                    log.error("a mapping key must be a plain string", at: keyPosition)
                    continue
                }
                entries.append(
                    ConfigEntry(key: text, keyPosition: keyPosition, value: ConfigNode(value, file: file, log: &log)))
            }
            self.init(.mapping(entries), position: position, tag: node.tag)
        }
    }

    /// A synthetic string scalar (e.g. a `working_dir` filled in for an extended file).
    static func string(_ text: String, at position: SourcePosition) -> ConfigNode {
        ConfigNode(.scalar(text: text, style: .doubleQuoted), position: position)
    }

    /// True for `~`, `null`, an empty plain scalar: YAML's "no value".
    var isNull: Bool {
        guard case .scalar(let text, let style) = content, style == .plain, !hasStringTag else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// An explicit `!!str` tag forces a plain scalar to be a string.
    var hasStringTag: Bool { tag.map { $0 == "!!str" || $0.hasSuffix(":str") } ?? false }

    var entries: [ConfigEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// Where `key` itself is written in a mapping (the last one if repeated).
    func keyPosition(_ key: String) -> SourcePosition? {
        entries?.last { $0.key == key }?.keyPosition
    }

    /// The value under `key` in a mapping (the last one if repeated).
    subscript(key: String) -> ConfigNode? {
        entries?.last { $0.key == key }?.value
    }

    /// Words for messages: "a mapping", "a list", "the string \"x\"", "null"...
    var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text, let style):
            if isNull { return "null" }
            return style == .plain ? "'\(text)'" : "the string \"\(text)\""
        }
    }
}

struct ConfigEntry: Sendable {
    var key: String
    var keyPosition: SourcePosition
    var value: ConfigNode
}
