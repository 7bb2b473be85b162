/// A line of a dotenv file that could not be understood, or whose references would expand past a limit.
struct DotEnvProblem: Equatable {
    var line: Int
    var message: String
    /// The line is well formed but expanding its references would pass one of `DotEnvParser.Limits`: whether that
    /// happens depends on the values, not only on the text.
    var isExpansionLimit = false
}

/// Reads dotenv files (`.env`, `env_file`) the way joho/godotenv does for the common cases:
/// `KEY=value`, `export KEY=value`, `KEY: value`, `#` comments (inline ones only after a space in
/// unquoted values), single quotes (literal), double quotes (escapes `\n \t \r \" \\ \$`, may span
/// lines), and `${VAR}` / `$VAR` references to earlier keys of the file or, failing that, `lookup`
/// in unquoted and double-quoted values.
///
/// Expansion is bounded: `A=x` followed by lines of `A=$A$A` doubles `A` on every line, and pcinit (PID 1) reads
/// these files, so a value with references may not be longer than `Limits.valueBytes` once they are expanded,
/// nor may the references of one file copy more than `Limits.fileBytes` in all. A line past either
/// limit is a problem (the loader reports it at its file:line and ignores the line, as it does a malformed one);
/// nothing is cut short.
enum DotEnvParser {
    /// How much expanding references may build. pcinit uses the defaults; the fuzzer passes smaller ones, so that
    /// an input reaching them costs it little.
    struct Limits {
        /// 1 MiB: far above what a variable can carry to a program (Linux's execve takes at most 128 KiB a string).
        var valueBytes = 1 << 20
        /// 16 MiB: what the references of one file may copy into its values altogether, including into values
        /// that a later line replaces, so the work is bounded as well as what is kept.
        var fileBytes = 16 << 20
    }

    struct Parsed: Equatable {
        /// In order of first appearance; a repeated key keeps its first position and its last value.
        var variables: [(String, String)]
        var problems: [DotEnvProblem]

        static func == (a: Parsed, b: Parsed) -> Bool {
            a.variables.elementsEqual(b.variables, by: ==) && a.problems == b.problems
        }
    }

    static func parse(
        _ text: String, lookup: (String) -> String? = { _ in nil }, limits: Limits = Limits()
    ) -> Parsed {
        var order: [String] = []
        var values: [String: String] = [:]
        var problems: [DotEnvProblem] = []
        var budget = limits.fileBytes
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
            // What the value says before references are expanded, and whether they are (not in single quotes).
            let written: String
            var expands = true
            if let quote = rest.first, quote == "'" || quote == "\"" {
                rest = rest.dropFirst()
                // A quoted value may continue on the following lines until its closing quote. Each line is searched
                // once: a line end cannot be escaped or be the quote, so a search starts afresh on every line.
                var inner = ""
                var close = closingQuote(in: rest, quote: quote)
                while close == nil, index < lines.count {
                    inner += rest
                    inner += "\n"
                    rest = lines[index]
                    index += 1
                    close = closingQuote(in: rest, quote: quote)
                }
                guard let close else {
                    problems.append(DotEnvProblem(line: lineNumber, message: "unterminated \(quote) quote"))
                    continue
                }
                inner += rest[..<close]
                expands = quote == "\""
                written = expands ? unescape(inner) : inner
            } else {
                var unquoted = Substring(rest)
                if let hash = unquoted.indexOfInlineComment() { unquoted = unquoted[..<hash] }
                written = String(unquoted.trimmingSpaces())
            }
            let value: String
            do {
                value =
                    expands ? try expand(written, values, lookup, limit: limits.valueBytes, budget: &budget) : written
            } catch {
                let message =
                    switch error {
                    case .value:
                        "the value of '\(key)' would be longer than \(size(limits.valueBytes)) with its references "
                            + "expanded"
                    case .file:
                        "the references in this file would expand to more than \(size(limits.fileBytes)) in all"
                    }
                problems.append(DotEnvProblem(line: lineNumber, message: message, isExpansionLimit: true))
                continue
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

    private static func closingQuote(in raw: Substring, quote: Character) -> Substring.Index? {
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

    /// `1 MiB (1048576 bytes)`, `8 KiB (8192 bytes)` or `100 bytes`.
    private static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB (\(bytes) bytes)" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB (\(bytes) bytes)" }
        return "\(bytes) bytes"
    }

    /// Why a value was not expanded.
    private enum ExpansionLimit: Error {
        /// The value would pass `Limits.valueBytes`.
        case value
        /// The file's references would copy more than `Limits.fileBytes` in all.
        case file
    }

    /// Replaces `${NAME}` and `$NAME` with earlier values of the file, else `lookup`, else "". The result may be
    /// `limit` bytes long; `budget` is what the file's references may still copy, and the value takes from it the
    /// length of what its references put in. The value is measured before it is built, so one past a limit costs
    /// nothing but the scan of its line.
    private static func expand(
        _ s: String, _ known: [String: String], _ lookup: (String) -> String?, limit: Int, budget: inout Int
    ) throws(ExpansionLimit) -> String {
        guard s.contains("$") else { return s }
        let chars = Array(s)
        // The value in pieces: the text between references, and what each reference stands for (shared, not copied).
        var pieces: [String] = []
        var text = ""
        var length = 0  // of all the pieces, in UTF-8 bytes
        var copied = 0  // of the references' pieces
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" {
                text.append("$")
                length += 1
                i += 2
                continue
            }
            guard c == "$", i + 1 < chars.count else {
                text.append(c)
                length += c.utf8.count
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
                text.append(c)
                length += c.utf8.count
                i += 1
                continue
            }
            let value = known[name] ?? lookup(name) ?? ""
            length += value.utf8.count
            copied += value.utf8.count
            guard length <= limit else { throw .value }
            guard copied <= budget else { throw .file }
            pieces.append(text)
            pieces.append(value)
            text = ""
            i = braced ? j + 1 : j
        }
        // With no reference the value is the file's own text, however long; with one, text after it counts too.
        if pieces.isEmpty { return text }
        guard length <= limit else { throw .value }
        budget -= copied
        var out = ""
        out.reserveCapacity(length)
        for piece in pieces { out += piece }
        out += text
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
