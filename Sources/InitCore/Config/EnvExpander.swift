/// A plain `${NAME}` that expanded to nothing: where it was written, and on which line of the expanded text
/// (which the YAML reader's positions refer to) its empty value landed.
struct EmptyExpansion: Equatable {
    var name: String
    var source: SourceLocation
    var outputLine: Int
    /// Set but empty, rather than not set at all.
    var isSet: Bool
    /// Written after a `#` that starts a YAML comment on its line (as far as one line can tell): the
    /// expansion changed nothing that is read.
    var inComment = false
}

/// A `${...}` that cannot be expanded, with the place of its `$`.
struct EnvExpansionError: Error, Equatable {
    var location: SourceLocation
    var message: String
}

/// Expands environment references in a config file's raw text, before YAML parsing, as
/// process-compose does: `$$` → `$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}` (also `:=`/`=`,
/// which behave like `:-`/`-` here because nothing is assigned). An undefined variable becomes
/// empty. A bare `$VAR` is left alone so the service's shell expands it at run time.
/// Other envsubst operators (`${#v}`, `${v^^}`, `${v/p/r}`, …) are reported as unsupported.
enum EnvExpander {
    /// The most a file's references may add to it. Each `${VAR}` copies its value again, so a short file that
    /// names a 1 MiB value a thousand times would otherwise build a gigabyte inside PID 1 (found by the config
    /// fuzzer); real files add kilobytes.
    static let maximumExpansionBytes = 16 << 20

    static func expand(_ text: String, lookup: (String) -> String?) throws(EnvExpansionError) -> String {
        var ignored: [EmptyExpansion] = []
        return try expand(text, lookup: lookup, empty: &ignored)
    }

    /// Also records every plain `${NAME}` that expanded to nothing, so a later error can name the cause.
    static func expand(_ text: String, lookup: (String) -> String?, empty: inout [EmptyExpansion])
        throws(EnvExpansionError) -> String
    {
        // Fast path: most files have no `$` at all.
        guard text.utf8.contains(UInt8(ascii: "$")) else { return text }
        let scalars = Array(text.unicodeScalars)
        var cursor = Cursor(line: 1, column: 1)
        var outputLine = 1
        return try expand(scalars[...], cursor: &cursor, lookup: lookup, outputLine: &outputLine, empty: &empty)
    }

    /// Where the scanner is, to report `line:col`.
    struct Cursor {
        var line: Int
        var column: Int

        mutating func advance(over scalar: Unicode.Scalar) {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }

        var location: SourceLocation { SourceLocation(line: line, column: column) }
    }

    private static func expand(
        _ text: ArraySlice<Unicode.Scalar>, cursor: inout Cursor, lookup: (String) -> String?
    ) throws(EnvExpansionError) -> String {
        var line = 1
        var ignored: [EmptyExpansion] = []
        return try expand(text, cursor: &cursor, lookup: lookup, outputLine: &line, empty: &ignored)
    }

    private static func expand(
        _ text: ArraySlice<Unicode.Scalar>, cursor: inout Cursor, lookup: (String) -> String?,
        outputLine: inout Int, empty: inout [EmptyExpansion]
    ) throws(EnvExpansionError) -> String {
        var out = String.UnicodeScalarView()
        var expandedBytes = 0
        var i = text.startIndex
        while i < text.endIndex {
            let scalar = text[i]
            guard scalar == "$", i + 1 < text.endIndex else {
                out.append(scalar)
                if scalar == "\n" { outputLine += 1 }
                cursor.advance(over: scalar)
                i += 1
                continue
            }
            let next = text[i + 1]
            if next == "$" {
                out.append("$")
                cursor.column += 2
                i += 2
            } else if next == "{" {
                let start = cursor.location
                let close = try closingBrace(in: text, after: i + 2, start: start)
                let body = text[(i + 2)..<close]
                let value = try substitute(body, start: start, lookup: lookup)
                expandedBytes += value.utf8.count
                if expandedBytes > maximumExpansionBytes {
                    throw EnvExpansionError(
                        location: start,
                        message: "references expand to more than \(maximumExpansionBytes >> 20) MiB in this file"
                            + " (each ${...} copies its value again)")
                }
                if value.isEmpty, let name = plainName(body) {
                    empty.append(
                        EmptyExpansion(
                            name: name, source: start, outputLine: outputLine, isSet: lookup(name) != nil,
                            inComment: isInComment(text, at: i)))
                }
                outputLine += value.utf8.count { $0 == UInt8(ascii: "\n") }
                out.append(contentsOf: value.unicodeScalars)
                for s in text[i...close] { cursor.advance(over: s) }
                i = close + 1
            } else {
                out.append(scalar)
                cursor.column += 1
                i += 1
            }
        }
        return String(out)
    }

    /// Index of the `}` closing the `${` whose body starts at `from`; nested `${…}` are skipped.
    private static func closingBrace(
        in text: ArraySlice<Unicode.Scalar>, after from: Int, start: SourceLocation
    ) throws(EnvExpansionError) -> Int {
        var depth = 0
        var j = from
        while j < text.endIndex {
            let s = text[j]
            if s == "\n" { break }
            if s == "$", j + 1 < text.endIndex, text[j + 1] == "$" {
                j += 2
                continue
            }
            if s == "$", j + 1 < text.endIndex, text[j + 1] == "{" {
                depth += 1
                j += 2
                continue
            }
            if s == "}" {
                if depth == 0 { return j }
                depth -= 1
            }
            j += 1
        }
        throw EnvExpansionError(location: start, message: "unterminated '${' (no closing '}' on this line)")
    }

    private static func substitute(
        _ body: ArraySlice<Unicode.Scalar>, start: SourceLocation, lookup: (String) -> String?
    ) throws(EnvExpansionError) -> String {
        var nameEnd = body.startIndex
        while nameEnd < body.endIndex, isNameScalar(body[nameEnd], first: nameEnd == body.startIndex) { nameEnd += 1 }
        let name = String(String.UnicodeScalarView(body[body.startIndex..<nameEnd]))
        let whole = "${" + String(String.UnicodeScalarView(body)) + "}"
        guard !name.isEmpty else {
            throw EnvExpansionError(location: start, message: "bad substitution '\(whole)': expected a variable name")
        }
        let rest = body[nameEnd...]
        if rest.isEmpty { return lookup(name) ?? "" }

        let treatEmptyAsUnset: Bool
        let defaultStart: Int
        if rest.starts(with: [":", "-"]) || rest.starts(with: [":", "="]) {
            treatEmptyAsUnset = true
            defaultStart = nameEnd + 2
        } else if rest.first == "-" || rest.first == "=" {
            treatEmptyAsUnset = false
            defaultStart = nameEnd + 1
        } else {
            throw EnvExpansionError(
                location: start,
                message:
                    "unsupported substitution '\(whole)': pcinit supports ${VAR}, ${VAR:-default} and ${VAR-default}"
            )
        }
        if let value = lookup(name), !(treatEmptyAsUnset && value.isEmpty) { return value }
        // The default is itself expanded (`${A:-${B}}`); its column is after `${NAME:-`.
        var cursor = Cursor(line: start.line, column: start.column + 2 + (defaultStart - body.startIndex))
        return try expand(body[defaultStart...], cursor: &cursor, lookup: lookup)
    }

    /// Whether a `#` that starts a comment (at the line's start or after a blank, outside quotes) comes
    /// before `index` on its line. One line cannot see a quoted scalar or block scalar that began earlier;
    /// this only decides whether to warn.
    private static func isInComment(_ text: ArraySlice<Unicode.Scalar>, at index: Int) -> Bool {
        var start = index
        while start > text.startIndex, text[start - 1] != "\n" { start -= 1 }
        var quote: Unicode.Scalar?
        var previous: Unicode.Scalar = " "
        for k in start..<index {
            let s = text[k]
            if let q = quote {
                if s == q { quote = nil }
            } else if s == "\"" || s == "'" {
                quote = s
            } else if s == "#" && (previous == " " || previous == "\t") {
                return true
            }
            previous = s
        }
        return false
    }

    /// `NAME` when the body of `${…}` is just a name (no default: an empty default is asked for).
    private static func plainName(_ body: ArraySlice<Unicode.Scalar>) -> String? {
        guard let first = body.first, isNameScalar(first, first: true),
            body.allSatisfy({ isNameScalar($0, first: false) })
        else { return nil }
        return String(String.UnicodeScalarView(body))
    }

    private static func isNameScalar(_ s: Unicode.Scalar, first: Bool) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "_": return true
        case "0"..."9": return !first
        default: return false
        }
    }
}
