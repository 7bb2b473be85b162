@testable import InitCore

/// A deliberately small YAML reader for the config tests while branch `yaml` has not landed:
/// block mappings and sequences, plain/quoted scalars, one-line flow collections, `|`/`>` block
/// scalars, comments. Tests switch to the real `YAMLReader` by using `ConfigLoader`'s public init.
enum ConfigTestYAML {
    struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        let rawLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [Line] = []
        for (i, raw) in rawLines.enumerated() {
            let indent = raw.prefix { $0 == " " }.count
            let body = stripComment(raw.dropFirst(indent))
            if body.allSatisfy({ $0 == " " }) { continue }
            lines.append(Line(number: i + 1, indent: indent, text: body))
        }
        var parser = Parser(lines: lines, raw: rawLines, file: file)
        guard !lines.isEmpty else { return nil }
        return try parser.block(indent: lines[0].indent)
    }

    static func stripComment(_ s: Substring) -> Substring {
        var quote: Character? = nil
        var previous: Character = " "
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                if previous == " " || previous == ":" || previous == "[" || previous == "," || previous == "-" {
                    quote = c
                }
            } else if c == "#" && previous == " " {
                var t = s[..<i]
                while t.last == " " { t.removeLast() }
                return t
            }
            previous = c
        }
        var t = s
        while t.last == " " { t.removeLast() }
        return t
    }

    struct Parser {
        var lines: [Line]
        var raw: [Substring]
        var file: String
        var index = 0

        func fail(_ line: Int, _ col: Int, _ message: String) -> YAMLError {
            YAMLError(file: file, location: SourceLocation(line: line, column: col), message: message)
        }

        mutating func block(indent: Int) throws(YAMLError) -> YAMLNode {
            let line = lines[index]
            if line.text.hasPrefix("- ") || line.text == "-" { return try sequence(indent: indent) }
            return try mapping(indent: indent)
        }

        mutating func sequence(indent: Int) throws(YAMLError) -> YAMLNode {
            let start = lines[index]
            var items: [YAMLNode] = []
            while index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix("-") {
                let line = lines[index]
                let rest = line.text.dropFirst().drop { $0 == " " }
                let col =
                    line.indent + 1 + (line.text.count - line.text.dropFirst().count)
                    + (line.text.dropFirst().count - rest.count)
                if rest.isEmpty {
                    index += 1
                    items.append(try block(indent: lines[index].indent))
                } else if rest.contains(": ") || rest.hasSuffix(":") {
                    // `- key: value` starts a mapping whose keys are at this column.
                    lines[index] = Line(number: line.number, indent: col - 1, text: rest)
                    items.append(try mapping(indent: col - 1))
                } else {
                    index += 1
                    items.append(try scalarOrFlow(rest, line: line.number, col: col))
                }
            }
            return YAMLNode(.sequence(items), location: SourceLocation(line: start.number, column: start.indent + 1))
        }

        mutating func mapping(indent: Int) throws(YAMLError) -> YAMLNode {
            let start = lines[index]
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            while index < lines.count, lines[index].indent == indent, !lines[index].text.hasPrefix("- ") {
                let line = lines[index]
                guard let colon = keyColon(line.text) else {
                    throw fail(line.number, line.indent + 1, "expected 'key: value'")
                }
                var keyText = String(line.text[..<colon])
                if keyText.hasPrefix("\"") || keyText.hasPrefix("'") {
                    keyText = String(keyText.dropFirst().dropLast())
                }
                let key = YAMLNode(
                    .scalar(text: keyText, style: .plain),
                    location: SourceLocation(line: line.number, column: line.indent + 1))
                let rest = line.text[line.text.index(after: colon)...].drop { $0 == " " }
                let col = line.indent + 1 + line.text.distance(from: line.text.startIndex, to: rest.startIndex)
                index += 1
                if rest.isEmpty {
                    if index < lines.count,
                        lines[index].indent > indent
                            || (lines[index].indent == indent && lines[index].text.hasPrefix("- "))
                    {
                        pairs.append((key, try block(indent: lines[index].indent)))
                    } else {
                        pairs.append(
                            (
                                key,
                                YAMLNode(
                                    .scalar(text: "", style: .plain),
                                    location: SourceLocation(line: line.number, column: col))
                            ))
                    }
                } else if rest == "|" || rest == ">" || rest == "|-" || rest == ">-" {
                    pairs.append((key, blockScalar(String(rest), parentIndent: indent, line: line.number, col: col)))
                } else {
                    pairs.append((key, try scalarOrFlow(rest, line: line.number, col: col)))
                }
            }
            if index < lines.count, lines[index].indent > indent {
                throw fail(lines[index].number, lines[index].indent + 1, "bad indentation")
            }
            return YAMLNode(.mapping(pairs), location: SourceLocation(line: start.number, column: start.indent + 1))
        }

        func keyColon(_ text: Substring) -> Substring.Index? {
            var quote: Character? = nil
            for i in text.indices {
                let c = text[i]
                if let q = quote {
                    if c == q { quote = nil }
                    continue
                }
                if i == text.startIndex && (c == "\"" || c == "'") { quote = c }
                if c == ":" {
                    let next = text.index(after: i)
                    if next == text.endIndex || text[next] == " " { return i }
                }
            }
            return nil
        }

        mutating func blockScalar(_ header: String, parentIndent: Int, line: Int, col: Int) -> YAMLNode {
            // Block scalars are read from the raw lines so blank lines and `#` inside are kept.
            var body: [String] = []
            var rawIndex = line
            var contentIndent: Int? = nil
            while rawIndex < raw.count {
                let r = raw[rawIndex]
                let ind = r.prefix { $0 == " " }.count
                if r.allSatisfy({ $0 == " " }) {
                    body.append("")
                    rawIndex += 1
                    continue
                }
                if ind <= parentIndent { break }
                if contentIndent == nil { contentIndent = ind }
                body.append(String(r.dropFirst(min(ind, contentIndent!))))
                rawIndex += 1
            }
            while body.last == "" { body.removeLast() }
            while index < lines.count, lines[index].number <= rawIndex { index += 1 }
            var text = header.hasPrefix(">") ? body.joined(separator: " ") : body.joined(separator: "\n")
            if !header.hasSuffix("-") { text += "\n" }
            return YAMLNode(
                .scalar(text: text, style: header.hasPrefix(">") ? .folded : .literal),
                location: SourceLocation(line: line, column: col))
        }

        func scalarOrFlow(_ text: Substring, line: Int, col: Int) throws(YAMLError) -> YAMLNode {
            let location = SourceLocation(line: line, column: col)
            if text.hasPrefix("[") {
                guard text.hasSuffix("]") else { throw fail(line, col, "unterminated flow sequence") }
                let inner = text.dropFirst().dropLast()
                var items: [YAMLNode] = []
                var offset = col + 1
                for part in splitFlow(inner) {
                    let trimmed = part.drop { $0 == " " }
                    let c = offset + (part.count - trimmed.count)
                    if !trimmed.isEmpty {
                        items.append(
                            try scalarOrFlow(
                                Substring(trimmed.reversed().drop { $0 == " " }.reversed()), line: line, col: c))
                    }
                    offset += part.count + 1
                }
                return YAMLNode(.sequence(items), location: location)
            }
            if text.hasPrefix("{") {
                guard text.hasSuffix("}") else { throw fail(line, col, "unterminated flow mapping") }
                let inner = text.dropFirst().dropLast()
                var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                var offset = col + 1
                for part in splitFlow(inner) {
                    let trimmed = part.drop { $0 == " " }
                    let c = offset + (part.count - trimmed.count)
                    offset += part.count + 1
                    if trimmed.isEmpty { continue }
                    guard let colon = keyColon(trimmed) else {
                        throw fail(line, c, "expected key: value in flow mapping")
                    }
                    let key = YAMLNode(
                        .scalar(text: String(trimmed[..<colon]), style: .plain),
                        location: SourceLocation(line: line, column: c))
                    let valueText = trimmed[trimmed.index(after: colon)...].drop { $0 == " " }
                    let vc = c + trimmed.distance(from: trimmed.startIndex, to: valueText.startIndex)
                    pairs.append(
                        (
                            key,
                            try scalarOrFlow(
                                Substring(valueText.reversed().drop { $0 == " " }.reversed()), line: line, col: vc)
                        ))
                }
                return YAMLNode(.mapping(pairs), location: location)
            }
            if text.hasPrefix("\"") {
                guard text.count >= 2, text.hasSuffix("\"") else { throw fail(line, col, "unterminated double quote") }
                var out = ""
                var escaped = false
                for c in text.dropFirst().dropLast() {
                    if escaped {
                        switch c {
                        case "n": out.append("\n")
                        case "t": out.append("\t")
                        default: out.append(c)
                        }
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else {
                        out.append(c)
                    }
                }
                return YAMLNode(.scalar(text: out, style: .doubleQuoted), location: location)
            }
            if text.hasPrefix("'") {
                guard text.count >= 2, text.hasSuffix("'") else { throw fail(line, col, "unterminated single quote") }
                let inner = String(text.dropFirst().dropLast())
                return YAMLNode(
                    .scalar(text: inner.replacingOccurrences("''", with: "'"), style: .singleQuoted), location: location
                )
            }
            return YAMLNode(.scalar(text: String(text), style: .plain), location: location)
        }

        func splitFlow(_ s: Substring) -> [Substring] {
            var parts: [Substring] = []
            var depth = 0
            var quote: Character? = nil
            var start = s.startIndex
            for i in s.indices {
                let c = s[i]
                if let q = quote {
                    if c == q { quote = nil }
                    continue
                }
                switch c {
                case "\"", "'": quote = c
                case "[", "{": depth += 1
                case "]", "}": depth -= 1
                case "," where depth == 0:
                    parts.append(s[start..<i])
                    start = s.index(after: i)
                default: break
                }
            }
            parts.append(s[start...])
            return parts
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
