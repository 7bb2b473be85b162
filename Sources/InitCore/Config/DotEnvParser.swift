/// A line of a dotenv file that could not be understood.
struct DotEnvProblem: Equatable {
    var line: Int
    var message: String
}

/// Reads dotenv files (`.env`, `env_file`) the way joho/godotenv does for the common cases:
/// `KEY=value`, `export KEY=value`, `KEY: value`, `#` comments (inline ones only after a space in
/// unquoted values), single quotes (literal), double quotes (escapes `\n \t \r \" \\ \$`, may span
/// lines), and `${VAR}` / `$VAR` references to earlier keys of the file or, failing that, `lookup`
/// in unquoted and double-quoted values.
enum DotEnvParser {
    struct Parsed: Equatable {
        /// In order of first appearance; a repeated key keeps its first position and its last value.
        var variables: [(String, String)]
        var problems: [DotEnvProblem]

        static func == (a: Parsed, b: Parsed) -> Bool {
            a.variables.elementsEqual(b.variables, by: ==) && a.problems == b.problems
        }
    }

    static func parse(_ text: String, lookup: (String) -> String? = { _ in nil }) -> Parsed {
        var order: [String] = []
        var values: [String: String] = [:]
        var problems: [DotEnvProblem] = []
        // "\r\n" is one Character in Swift, so both line ends are separators.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            var line = lines[index].drop { $0 == " " || $0 == "\t" }
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop { $0 == " " } }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                problems.append(DotEnvProblem(line: lineNumber, message: "expected KEY=VALUE"))
                continue
            }
            let key = line[..<separator].trimmingSpaces()
            guard isValidKey(key) else {
                problems.append(DotEnvProblem(line: lineNumber, message: "invalid variable name '\(key)'"))
                continue
            }
            var rest = line[line.index(after: separator)...].drop { $0 == " " || $0 == "\t" }
            let value: String
            if let quote = rest.first, quote == "'" || quote == "\"" {
                rest = rest.dropFirst()
                // A quoted value may continue on the following lines until its closing quote.
                var raw = String(rest)
                while closingQuote(in: raw, quote: quote) == nil, index < lines.count {
                    raw += "\n" + lines[index]
                    index += 1
                }
                guard let close = closingQuote(in: raw, quote: quote) else {
                    problems.append(DotEnvProblem(line: lineNumber, message: "unterminated \(quote) quote"))
                    continue
                }
                let inner = String(raw[..<close])
                value = quote == "'" ? inner : expand(unescape(inner), values, lookup)
            } else {
                var unquoted = Substring(rest)
                if let hash = unquoted.indexOfInlineComment() { unquoted = unquoted[..<hash] }
                value = expand(String(unquoted.trimmingSpaces()), values, lookup)
            }
            if values.updateValue(value, forKey: String(key)) == nil { order.append(String(key)) }
        }
        return Parsed(variables: order.map { ($0, values[$0]!) }, problems: problems)
    }

    private static func isValidKey(_ key: Substring) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "." || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
        }
    }

    private static func closingQuote(in raw: String, quote: Character) -> String.Index? {
        var escaped = false
        for i in raw.indices {
            let c = raw[i]
            if escaped {
                escaped = false
            } else if c == "\\" && quote == "\"" {
                escaped = true
            } else if c == quote {
                return i
            }
        }
        return nil
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\"", "\\": out.append(c)
                // `\$` stays escaped until `expand` has run, so the `$` is not taken for a reference.
                case "$": out += "\\$"
                default: out += "\\" + String(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Replaces `${NAME}` and `$NAME` with earlier values of the file, else `lookup`, else "".
    private static func expand(_ s: String, _ known: [String: String], _ lookup: (String) -> String?) -> String {
        guard s.contains("$") else { return s }
        let chars = Array(s)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            var j = i + 1
            let braced = chars[j] == "{"
            if braced { j += 1 }
            let nameStart = j
            while j < chars.count, chars[j] == "_" || chars[j].isLetter || chars[j].isNumber { j += 1 }
            let name = String(chars[nameStart..<j])
            if name.isEmpty || (braced && (j >= chars.count || chars[j] != "}")) {
                out.append(c)
                i += 1
                continue
            }
            out += known[name] ?? lookup(name) ?? ""
            i = braced ? j + 1 : j
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }

    /// A `#` that starts a comment in an unquoted value: at the start or after whitespace.
    fileprivate func indexOfInlineComment() -> Index? {
        var previous: Character? = nil
        for i in indices {
            if self[i] == "#", previous == nil || previous == " " || previous == "\t" { return i }
            previous = self[i]
        }
        return nil
    }
}
