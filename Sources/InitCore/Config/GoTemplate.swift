/// The subset of Go's text/template that process-compose files use, rendered as process-compose renders it:
/// `{{.NAME}}` and `{{.A.B}}` field references into `vars`, the string-literal escape `{{ "{{.X}}" }}` (also
/// with backquotes), comments `{{/* … */}}`, and the trim markers `{{-` / `-}}`. Anything else (pipelines,
/// functions, `if`/`range`/`with`, variables) is an error naming the construct: passing it through as text
/// would run a command process-compose never runs.
enum GoTemplate {
    /// A value under `vars:`: a scalar's text as written, or a mapping for `{{.A.B}}`; `kind` names the others.
    indirect enum Value: Equatable {
        case text(String)
        case mapping([String: Value])
        case unrenderable(kind: String)
    }

    struct Failure: Error, Equatable {
        var message: String
        /// Characters from the start of the text to the `{{` of the construct.
        var offset: Int
        /// The construct as written (`{{if .A}}`), to find it in the source.
        var action: String
    }

    /// Whether `text` has anything to render (the fast path: most fields have no `{{`).
    static func hasActions(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") && previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// The 1-based column (in characters) where `needle` first occurs in `line`.
    static func column(of needle: String, in line: Substring) -> Int? {
        let hay = Array(line)
        let pattern = Array(needle)
        guard !pattern.isEmpty, hay.count >= pattern.count else { return nil }
        for start in 0...(hay.count - pattern.count) where hay[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start + 1
        }
        return nil
    }

    /// Renders `text` with `vars`; `usedNames` collects the top-level names referenced.
    static func render(_ text: String, vars: [String: Value], usedNames: inout Set<String>) -> Result<String, Failure> {
        let chars = Array(text)
        var out: [Character] = []
        var i = 0
        var trimNextText = false
        while i < chars.count {
            guard chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" else {
                if trimNextText && chars[i].isWhitespace {
                    i += 1
                    continue
                }
                trimNextText = false
                out.append(chars[i])
                i += 1
                continue
            }
            trimNextText = false
            let start = i
            var j = i + 2
            // `{{- ` trims the whitespace before the action (the dash must be followed by a space).
            if j + 1 < chars.count, chars[j] == "-", chars[j + 1].isWhitespace {
                while let last = out.last, last.isWhitespace { out.removeLast() }
                j += 2
            }
            guard let close = closingBraces(chars, from: j) else {
                return .failure(
                    Failure(
                        message: "unclosed '{{' (no '}}' after it); write {{\"{{\"}} for a literal '{{'", offset: start,
                        action: "{{"))
            }
            var contentEnd = close
            // ` -}}` trims the whitespace after it.
            if contentEnd - 2 >= j, chars[contentEnd - 1] == "-", chars[contentEnd - 2].isWhitespace {
                contentEnd -= 2
                trimNextText = true
            }
            let content = String(chars[j..<max(j, contentEnd)])
            let action = String(chars[start..<(close + 2)])
            switch evaluate(content, vars: vars, usedNames: &usedNames) {
            case .value(let value): out += Array(value)
            case .problem(let problem):
                return .failure(Failure(message: "'\(action)': \(problem)", offset: start, action: action))
            }
            i = close + 2
        }
        return .success(String(out))
    }

    /// Index of the `}}` that ends the action whose content starts at `from`; quoted strings are skipped.
    private static func closingBraces(_ chars: [Character], from: Int) -> Int? {
        var k = from
        while k < chars.count {
            let c = chars[k]
            if c == "\"" || c == "`" || c == "'" {
                k += 1
                while k < chars.count, chars[k] != c {
                    if c != "`" && chars[k] == "\\" { k += 1 }
                    k += 1
                }
                k += 1
                continue
            }
            if c == "}", k + 1 < chars.count, chars[k + 1] == "}" { return k }
            k += 1
        }
        return nil
    }

    private static let keywords: Set<String> = [
        "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    ]

    /// What one action renders to, or why pcinit does not render it.
    private enum Outcome {
        case value(String)
        case problem(String)
    }

    private static func evaluate(_ raw: String, vars: [String: Value], usedNames: inout Set<String>) -> Outcome {
        let content = raw.trimmingCharacters(in: " \t\r\n")
        let supported = "pcinit renders only {{.NAME}} references and {{\"...\"}} literals"
        if content.hasPrefix("/*") && content.hasSuffix("*/") { return .value("") }
        if let literal = stringLiteral(content) {
            guard let text = literal else { return .problem("a malformed string literal") }
            return .value(text)
        }
        if content.isEmpty { return .problem("an empty action; \(supported)") }
        if containsPipe(content) { return .problem("pipelines ('|') are not supported; \(supported)") }
        let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        let first = String(words[0])
        if keywords.contains(first) { return .problem("'\(first)' blocks are not supported; \(supported)") }
        if first.hasPrefix("$") { return .problem("template variables ('\(first)') are not supported; \(supported)") }
        if first == "." { return .problem("'.' (all of vars at once) is not supported; \(supported)") }
        if first.hasPrefix(".") {
            guard words.count == 1 else {
                return .problem("arguments after '\(first)' (a method call) are not supported; \(supported)")
            }
            return lookup(first, in: vars, usedNames: &usedNames)
        }
        if let c = first.first, c.isLetter || c == "_" {
            return .problem("functions ('\(first)') are not supported; \(supported)")
        }
        return .problem("'\(content)' is not supported; \(supported)")
    }

    /// `.A.B` → the text of vars[A][B].
    private static func lookup(_ chain: String, in vars: [String: Value], usedNames: inout Set<String>) -> Outcome {
        let names = chain.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy(isIdentifier) else { return .problem("'\(chain)' is not a field reference") }
        usedNames.insert(names[0])
        var scope = vars
        var path = ""
        for (index, name) in names.enumerated() {
            path += (path.isEmpty ? "" : ".") + name
            guard let value = scope[name] else {
                let known = scope.keys.sorted().joined(separator: ", ")
                return .problem(
                    "no var '\(path)' (known: \(known.isEmpty ? "none" : known)); process-compose would render "
                        + "'<no value>'; a literal '{{' is written {{\"{{\"}}"
                )
            }
            let isLast = index == names.count - 1
            switch value {
            case .text(let text):
                if isLast { return .value(text) }
                return .problem("var '\(path)' is not a mapping, so '\(chain)' has no value")
            case .mapping(let members):
                if isLast { return .problem("var '\(path)' is a mapping; name one of its keys (\(chain).KEY)") }
                scope = members
            case .unrenderable(let kind):
                return .problem("var '\(path)' is \(kind); only scalar vars can be rendered")
            }
        }
        return .problem("'\(chain)' is not a field reference")
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    private static func containsPipe(_ content: String) -> Bool {
        var quote: Character?
        var escaped = false
        for c in content {
            if let q = quote {
                if escaped {
                    escaped = false
                } else if c == "\\" && q != "`" {
                    escaped = true
                } else if c == q {
                    quote = nil
                }
            } else if c == "\"" || c == "`" || c == "'" {
                quote = c
            } else if c == "|" {
                return true
            }
        }
        return false
    }

    /// The whole content as one Go string literal: `"…"` with Go's escapes, or a raw `` `…` ``; nil when the
    /// content is not a single literal, `.some(nil)` when it is one but malformed.
    private static func stringLiteral(_ content: String) -> String?? {
        let chars = Array(content)
        guard let quote = chars.first, quote == "\"" || quote == "`", chars.count >= 2, chars.last == quote else {
            return nil
        }
        let body = chars[1..<(chars.count - 1)]
        if quote == "`" { return body.contains("`") ? nil : .some(String(body)) }
        var out = ""
        var k = body.startIndex
        while k < body.endIndex {
            let c = body[k]
            if c == "\"" { return nil }  // a second literal or garbage after the first
            guard c == "\\" else {
                out.append(c)
                k += 1
                continue
            }
            k += 1
            guard k < body.endIndex else { return .some(nil) }
            let e = body[k]
            k += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "v": out.append("\u{0B}")
            case "\\", "\"", "'": out.append(e)
            case "x", "u", "U":
                let width = e == "x" ? 2 : e == "u" ? 4 : 8
                guard body.distance(from: k, to: body.endIndex) >= width,
                    let code = UInt32(String(body[k..<(k + width)]), radix: 16), let scalar = Unicode.Scalar(code)
                else { return .some(nil) }
                out.unicodeScalars.append(scalar)
                k += width
            case "0"..."7":
                guard body.distance(from: k, to: body.endIndex) >= 2,
                    let code = UInt32(String([e] + body[k..<(k + 2)]), radix: 8), let scalar = Unicode.Scalar(code)
                else { return .some(nil) }
                out.unicodeScalars.append(scalar)
                k += 2
            default:
                return .some(nil)
            }
        }
        return .some(out)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
