/// Collects a mapping's entries: rejects duplicate keys and applies merge keys (`<<`).
///
/// Merged entries come first, in the order of their sources (an earlier source wins over a later one); explicit
/// entries then override a merged entry in place or are appended.
struct YAMLMappingBuilder {
    private var explicitEntries: [(key: YAMLNode, value: YAMLNode)] = []
    private var explicitKeyLines: [String: Int] = [:]
    private var mergeSources: [[(key: YAMLNode, value: YAMLNode)]] = []

    /// Whether the key is the merge key: a plain `<<`, or one tagged `!!merge`.
    static func isMergeKey(_ key: YAMLNode) -> Bool {
        guard case .scalar(let text, let style) = key.content, text == "<<" else { return false }
        return key.tag == "!!merge" || (style == .plain && key.tag == nil)
    }

    /// Equal keys get equal identities: scalars compare by resolved core-schema value, collections by content.
    static func identity(of key: YAMLNode) -> String {
        switch key.coreScalar {
        case .null: return "null"
        case .bool(let value): return value ? "bool:true" : "bool:false"
        case .int(let value): return "int:\(value)"
        case .float(let value): return "float:\(value)"
        case .string(let value): return "str:" + value
        case nil: return "json:" + key.jsonValue.rendered()
        }
    }

    mutating func add(key: YAMLNode, value: YAMLNode, file: String) throws(YAMLError) {
        if Self.isMergeKey(key) {
            try addMergeSource(value, file: file)
            return
        }
        let identity = Self.identity(of: key)
        if let firstLine = explicitKeyLines[identity] {
            throw YAMLError(
                file: file, location: key.location,
                message: "duplicate key '\(YAMLParser.displayName(of: key))' (first defined at line \(firstLine))")
        }
        explicitKeyLines[identity] = key.location.line
        explicitEntries.append((key, value))
    }

    private mutating func addMergeSource(_ value: YAMLNode, file: String) throws(YAMLError) {
        switch value.content {
        case .mapping(let entries):
            mergeSources.append(entries)
        case .sequence(let items):
            for item in items {
                guard case .mapping(let entries) = item.content else {
                    throw YAMLError(
                        file: file, location: item.location,
                        message: "merge key '<<' expects a mapping or a list of mappings, found \(Self.kind(of: item))")
                }
                mergeSources.append(entries)
            }
        case .scalar:
            throw YAMLError(
                file: file, location: value.location,
                message: "merge key '<<' expects a mapping or a list of mappings, found \(Self.kind(of: value))")
        }
    }

    private static func kind(of node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let text, _):
            return "the scalar '\(YAMLParser.displayName(of: node))'" + (text.isEmpty ? " (null)" : "")
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }

    func build() -> [(key: YAMLNode, value: YAMLNode)] {
        if mergeSources.isEmpty { return explicitEntries }
        var entries: [(key: YAMLNode, value: YAMLNode)] = []
        var positions: [String: Int] = [:]
        for source in mergeSources {
            for entry in source {
                let identity = Self.identity(of: entry.key)
                if positions[identity] == nil {
                    positions[identity] = entries.count
                    entries.append(entry)
                }
            }
        }
        for entry in explicitEntries {
            let identity = Self.identity(of: entry.key)
            if let position = positions[identity] {
                entries[position] = entry
            } else {
                entries.append(entry)
            }
        }
        return entries
    }
}
