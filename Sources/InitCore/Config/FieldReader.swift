/// Reads typed values out of config nodes, interpreting each scalar by the field's type (YAML 1.2
/// core schema for plain scalars) and logging `path: expected …` diagnostics for wrong types.
/// Every accessor returns nil both for "absent/null" and for "wrong type" (already reported).
struct FieldReader {
    var log: DiagnosticLog

    /// Any non-null scalar, as its text (`port: 8080` and `port: "8080"` both give "8080").
    mutating func string(_ node: ConfigNode?, _ path: String) -> String? {
        guard let node, !node.isNull else { return nil }
        guard case .scalar(let text, _) = node.content else {
            return mismatch(node, path, "a string")
        }
        return text
    }

    /// `true`/`false` (plain), and YAML 1.1's `yes/no/on/off/y/n` (any case form go-yaml knows, quoted or
    /// not): go-yaml, process-compose's YAML library, accepts those for a boolean field and only there, so
    /// `parent_only: no` means false while `restart: no` stays the policy `no`.
    mutating func bool(_ node: ConfigNode?, _ path: String) -> Bool? {
        guard let node, !node.isNull else { return nil }
        if let value = node.booleanValue { return value }
        return mismatch(node, path, "true or false")
    }

    mutating func int(_ node: ConfigNode?, _ path: String) -> Int? {
        guard let node, !node.isNull else { return nil }
        if case .scalar(let text, .plain) = node.content, !node.hasStringTag, let value = Self.parseInt(text) {
            return value
        }
        return mismatch(node, path, "an integer")
    }

    /// An integer that must not be negative (seconds, counts).
    mutating func nonNegativeInt(_ node: ConfigNode?, _ path: String) -> Int? {
        guard let value = int(node, path) else { return nil }
        guard value >= 0 else {
            log.error("\(path): must not be negative, found \(value)", at: node?.position)
            return nil
        }
        return value
    }

    mutating func stringList(_ node: ConfigNode?, _ path: String) -> [String]? {
        guard let node, !node.isNull else { return nil }
        guard case .sequence(let items) = node.content else { return mismatch(node, path, "a list of strings") }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .scalar(let text, _) = item.content, !item.isNull else {
                return mismatch(item, "\(path)[\(i)]", "a string")
            }
            result.append(text)
        }
        return result
    }

    /// A mapping's entries, with its keys checked against `schema`.
    mutating func mapping(_ node: ConfigNode?, _ path: String, schema: KeySchema?) -> [ConfigEntry]? {
        guard let node, !node.isNull else { return nil }
        guard let entries = node.entries else { return mismatch(node, path, "a mapping") }
        if let schema { checkKeys(entries, path: path, schema: schema) }
        return entries
    }

    /// One of `allowed` (compared to the scalar's text).
    mutating func enumValue<T: RawRepresentable>(
        _ node: ConfigNode?, _ path: String, allowed: [T]
    ) -> T? where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        if let value = allowed.first(where: { $0.rawValue == text }) { return value }
        let names = allowed.map { $0.rawValue }
        let list = names.joined(separator: ", ")
        let hint = NearestName.suggestion(for: text, among: names).map { " (did you mean '\($0)'?)" }
        log.error("\(path): invalid value '\(text)'\(hint ?? ""); valid values are: \(list)", at: node?.position)
        return nil
    }

    mutating func mismatch<T>(_ node: ConfigNode, _ path: String, _ expected: String) -> T? {
        log.error("\(path): expected \(expected), found \(node.kindDescription)", at: node.position)
        return nil
    }

    /// Core-schema integers: decimal with optional sign, `0x…`, `0o…`.
    static func parseInt(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        guard let first = text.first, first.isNumber || ((first == "-" || first == "+") && text.count > 1) else {
            return nil
        }
        return Int(text)
    }
}

extension ConfigNode {
    /// The scalar read as a boolean field reads it (see `FieldReader.bool`); nil when it is not one.
    var booleanValue: Bool? {
        guard case .scalar(let text, let style) = content, !isNull else { return nil }
        if style == .plain && !hasStringTag {
            switch text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        // go-yaml's YAML 1.1 compatibility for typed bool fields applies to any scalar that resolved to a string.
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }
}
