import Foundation

/// Seeded generator of random YAML documents in mixed styles, restricted to what YAML 1.1 (PyYAML) and YAML 1.2
/// read alike: no yes/no/on/off, no sexagesimal or leading-zero numbers, exponents only with a dot and a sign.
struct YAMLDocumentGenerator {
    private var state: UInt64
    private var anchorCounter = 0
    /// Anchors emitted so far, and whether each names a mapping (usable as a merge source).
    private var anchors: [(name: String, isMapping: Bool)] = []

    init(seed: UInt64) { state = seed }

    /// SplitMix64: tiny, seedable, good enough to drive shapes.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    private indirect enum Value {
        case scalar(ScalarValue)
        case sequence([Value])
        case mapping([(String, Value)])
    }

    private enum ScalarValue {
        case plain(String)
        case text(String)  // needs quoting or a block scalar
    }

    mutating func document() -> String {
        anchorCounter = 0
        anchors = []
        let root = makeMapping(depth: 0)
        var out = chance(20) ? "---\n" : ""
        if chance(20) { out += "# generated document\n" }
        emitBlockMappingBody(root, indent: 0, into: &out)
        if chance(10) { out += "...\n" }
        return out
    }

    // MARK: Values

    private mutating func makeValue(depth: Int) -> Value {
        if depth >= 4 || chance(45) { return .scalar(makeScalar()) }
        return chance(50) ? makeMapping(depth: depth + 1) : makeSequence(depth: depth + 1)
    }

    private mutating func makeMapping(depth: Int) -> Value {
        var keys = Set<String>()
        var entries: [(String, Value)] = []
        for _ in 0..<(1 + below(4)) {
            let key = makeKey()
            if keys.insert(key).inserted { entries.append((key, makeValue(depth: depth))) }
        }
        return .mapping(entries)
    }

    private mutating func makeSequence(depth: Int) -> Value {
        .sequence((0..<below(4)).map { _ in makeValue(depth: depth) })
    }

    private mutating func makeKey() -> String {
        pick([
            "name", "command", "env", "port", "depends_on", "image", "key with spaces", "x-extra", "a.b", "ready",
            "k1", "k2", "k3", "restart", "args", "labels", "UPPER", "snake_case", "dash-key", "path/key",
        ])
    }

    private mutating func makeScalar() -> ScalarValue {
        switch below(10) {
        case 0: return .plain(pick(["0", "1", "42", "-7", "+3", "123456789", "0x1F", "0xff"]))
        case 1: return .plain(pick(["1.5", "-0.25", "3.0", ".5", "2.5e+3", "1.0e-2", "-1.25E+2"]))
        case 2: return .plain(pick(["true", "false", "True", "FALSE", "null", "~", "Null"]))
        case 3, 4, 5:
            return .plain(
                pick([
                    "alpha", "beta gamma", "x-ray", "/usr/bin/env", "a.b.c", "http://host:80/x",
                    "value_1", "CamelCase", "with#hash", "-dash", "semi;colon", "tilde~x", "caf\u{e9}",
                    "echo hello world", "KEY=value", "a:b", "?q", "100%", "snow\u{2603}man",
                ]))
        default:
            var text = ""
            let pieces = [
                "a", "b c", ": ", " #", ",", "[", "]", "{", "}", "'", "\"", "\\", "\t", "\n", "\u{e9}",
                "yes", "no", "8080", "  ", "-", "*x", "&y", "!z", "|", ">", "%", "@", "`", "x",
            ]
            for _ in 0..<(1 + below(6)) { text += pick(pieces) }
            return .text(text)
        }
    }

    // MARK: Block emission

    private func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }

    /// A fresh anchor name (or nil); it becomes usable only once its node is complete, so nothing inside the
    /// node refers back to it.
    private mutating func maybeAnchor() -> String? {
        guard chance(15) else { return nil }
        anchorCounter += 1
        return "an\(anchorCounter)"
    }

    private mutating func register(_ name: String?, for value: Value) {
        guard let name else { return }
        if case .mapping = value { anchors.append((name, true)) } else { anchors.append((name, false)) }
    }

    /// `key: value` lines of a block mapping at `indent`, with an occasional merge key in front.
    private mutating func emitBlockMappingBody(_ value: Value, indent: Int, into out: inout String) {
        guard case .mapping(let entries) = value else { return }
        let mergeable = anchors.filter(\.isMapping).map(\.name)
        if !mergeable.isEmpty && chance(25) {
            if chance(50) || mergeable.count < 2 {
                out += spaces(indent) + "<<: *\(pick(mergeable))\n"
            } else {
                out += spaces(indent) + "<<: [*\(pick(mergeable)), *\(pick(mergeable))]\n"
            }
        }
        for (key, child) in entries {
            out += spaces(indent) + emitKey(key) + ":"
            emitAfterIndicator(child, indent: indent, isSequenceEntry: false, into: &out)
        }
        if entries.isEmpty { out += spaces(indent) + "empty: {}\n" }
    }

    private mutating func emitKey(_ key: String) -> String {
        switch below(6) {
        case 0: return "\"" + key + "\""
        case 1: return "'" + key + "'"
        default: return key
        }
    }

    /// The rest of a `key:` or `-` line and any lines below it.
    private mutating func emitAfterIndicator(_ value: Value, indent: Int, isSequenceEntry: Bool, into out: inout String)
    {
        if !anchors.isEmpty && chance(8) {
            out += " *\(pick(anchors).name)\n"
            return
        }
        let anchorName = maybeAnchor()
        let anchor = anchorName.map { "&\($0) " } ?? ""
        defer { register(anchorName, for: value) }
        switch value {
        case .scalar(let scalar):
            if case .text(let text) = scalar, chance(30), let block = blockScalar(text, indent: indent + 2) {
                out += " " + anchor + block
            } else {
                out += " " + anchor + inlineScalar(scalar, indent: indent + 2) + comment() + "\n"
            }
        case .mapping(let entries):
            if entries.isEmpty || chance(20) {
                out += " " + anchor + flow(value) + "\n"
            } else if isSequenceEntry && anchor.isEmpty && chance(60) {
                // Compact `- key: value` with the rest of the mapping under the first key.
                var body = ""
                emitBlockMappingBody(value, indent: indent + 2, into: &body)
                out += " " + body.dropFirst(indent + 2)
            } else {
                out += (anchor.isEmpty ? "" : " " + anchor.dropLast()) + comment() + "\n"
                emitBlockMappingBody(value, indent: indent + 2, into: &out)
            }
        case .sequence(let items):
            if items.isEmpty || chance(20) {
                out += " " + anchor + flow(value) + "\n"
                return
            }
            out += (anchor.isEmpty ? "" : " " + anchor.dropLast()) + "\n"
            let childIndent = !isSequenceEntry && chance(40) ? indent : indent + 2
            for item in items {
                out += spaces(childIndent) + "-"
                emitAfterIndicator(item, indent: childIndent, isSequenceEntry: true, into: &out)
            }
        }
    }

    private mutating func comment() -> String { chance(10) ? " # note" : "" }

    private mutating func inlineScalar(_ scalar: ScalarValue, indent: Int) -> String {
        switch scalar {
        case .plain(let text): return text
        case .text(let text):
            if !text.contains("\n") && !text.contains("\t") && chance(40) {
                return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
            }
            return doubleQuoted(text)
        }
    }

    private mutating func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += chance(50) ? "\\t" : "\\x09"
            case "\u{e9}": out += chance(50) ? "\\u00e9" : "\u{e9}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A literal block scalar for text whose lines are safe to write bare, else nil.
    private mutating func blockScalar(_ text: String, indent: Int) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, !first.hasPrefix(" "), !first.isEmpty, !text.hasSuffix("\n"),
            !text.contains("\t"), lines.allSatisfy({ !$0.hasSuffix(" ") })
        else { return nil }
        let chomping = pick(["", "-", "+"])
        var out = "|" + chomping + "\n"
        for line in lines { out += (line.isEmpty ? "" : spaces(indent) + line) + "\n" }
        return out
    }

    // MARK: Flow emission

    private mutating func flow(_ value: Value) -> String {
        switch value {
        case .scalar(let scalar):
            // PyYAML reads `?` in flow context as an explicit key indicator even when glued to text (YAML 1.1).
            if case .plain(let text) = scalar, !text.contains("#"), !text.hasPrefix("?") { return text }
            if case .plain(let text) = scalar { return "'" + text + "'" }
            if case .text(let text) = scalar { return doubleQuoted(text) }
            return "~"
        case .sequence(let items):
            let body = items.map { flow($0) }.joined(separator: chance(50) ? ", " : ",")
            return "[" + body + (chance(15) && !items.isEmpty ? ", ]" : "]")
        case .mapping(let entries):
            let body = entries.map { key, child in emitKey(key) + ": " + flow(child) }.joined(separator: ", ")
            return "{" + body + (chance(15) && !entries.isEmpty ? ",}" : "}")
        }
    }
}
