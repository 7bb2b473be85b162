extension YAMLNode {
    /// The node as JSON (mappings → objects in source order, scalars via coreScalar; non-string keys rendered as
    /// their text, collection keys as compact JSON). Used by `pcinit config --raw`.
    public var jsonValue: JSONValue {
        switch content {
        case .scalar:
            switch coreScalar {
            case .null, nil: return .null
            case .bool(let value): return .bool(value)
            case .int(let value): return .int(value)
            case .float(let value): return .double(value)
            case .string(let value): return .string(value)
            }
        case .sequence(let items):
            return .array(items.map { $0.jsonValue })
        case .mapping(let entries):
            return .object(entries.map { (Self.jsonKey($0.key), $0.value.jsonValue) })
        }
    }

    private static func jsonKey(_ key: YAMLNode) -> String {
        switch key.content {
        case .scalar(let text, _): return text
        case .sequence, .mapping: return key.jsonValue.rendered()
        }
    }
}
