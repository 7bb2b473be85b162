/// Single- and double-quoted scalars, with escapes and line folding.
extension YAMLParser {
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    mutating func parseQuotedScalar() throws(YAMLError) -> YAMLNode {
        let start = here
        let isDouble = peek == Byte.doubleQuote
        let name = isDouble ? "double-quoted" : "single-quoted"
        pos += 1
        var text: [UInt8] = []
        while true {
            guard pos < bytes.count else {
                throw error(
                    "unterminated \(name) scalar: expected a closing \(isDouble ? "'\"'" : "\"'\"") before end of input",
                    at: start)
            }
            let b = bytes[pos]
            if b == Byte.singleQuote && !isDouble {
                if peek(1) == Byte.singleQuote {
                    text.append(Byte.singleQuote)
                    pos += 2
                    continue
                }
                pos += 1
                break
            }
            if b == Byte.doubleQuote && isDouble {
                pos += 1
                break
            }
            if b == Byte.backslash && isDouble {
                try scanEscape(into: &text, quoteStart: start)
                continue
            }
            if Byte.isBlank(b) {
                let runStart = pos
                skipInlineBlanks()
                if Byte.isBreak(peek) {
                    // Blanks before a line break are not content.
                    try foldLineBreak(into: &text, quoteStart: start, name: name)
                } else {
                    text.append(contentsOf: bytes[runStart..<pos])
                }
                continue
            }
            if Byte.isBreak(b) {
                try foldLineBreak(into: &text, quoteStart: start, name: name)
                continue
            }
            let runStart = pos
            pos += 1
            while pos < bytes.count {
                let c = bytes[pos]
                if c == Byte.singleQuote || c == Byte.doubleQuote || c == Byte.backslash || Byte.isBlank(c)
                    || Byte.isBreak(c)
                {
                    break
                }
                pos += 1
            }
            text.append(contentsOf: bytes[runStart..<pos])
        }
        countNode()
        return YAMLNode(
            .scalar(text: String(decoding: text, as: UTF8.self), style: isDouble ? .doubleQuoted : .singleQuoted),
            location: start)
    }

    /// A line break inside quotes folds to one space, or to one newline per empty line that follows.
    private mutating func foldLineBreak(
        into text: inout [UInt8],
        quoteStart: SourceLocation,
        name: String
    ) throws(YAMLError) {
        consumeBreak()
        let emptyLines = try skipFoldedLines(quoteStart: quoteStart, name: name)
        if emptyLines == 0 {
            text.append(Byte.space)
        } else {
            text.append(contentsOf: repeatElement(Byte.lineFeed, count: emptyLines))
        }
    }

    /// After a line break inside quotes: skips the next lines' leading blanks and returns how many of those
    /// lines were empty. A document marker or the end of input means the quote was never closed; a line that
    /// goes on should be indented by `flowLineIndent` spaces.
    private mutating func skipFoldedLines(quoteStart: SourceLocation, name: String) throws(YAMLError) -> Int {
        var emptyLines = 0
        while true {
            if isAtDocumentMarker() {
                throw error(
                    "unterminated \(name) scalar: found a document marker before the closing quote", at: quoteStart)
            }
            skipInlineBlanks()
            guard Byte.isBreak(peek) else {
                if !isAtEnd && lineIndentation < flowLineIndent { noteUnderIndentedFlowLine(contentAt: pos) }
                return emptyLines
            }
            consumeBreak()
            emptyLines += 1
        }
    }

    private mutating func scanEscape(into text: inout [UInt8], quoteStart: SourceLocation) throws(YAMLError) {
        let start = here
        pos += 1
        let b = peek
        pos += 1
        let simple: UInt32?
        switch b {
        case UInt8(ascii: "0"): simple = 0
        case UInt8(ascii: "a"): simple = 7
        case UInt8(ascii: "b"): simple = 8
        case UInt8(ascii: "t"), Byte.tab: simple = 9
        case UInt8(ascii: "n"): simple = 10
        case UInt8(ascii: "v"): simple = 11
        case UInt8(ascii: "f"): simple = 12
        case UInt8(ascii: "r"): simple = 13
        case UInt8(ascii: "e"): simple = 27
        case Byte.space: simple = 32
        case Byte.doubleQuote: simple = 34
        case UInt8(ascii: "/"): simple = 47
        case Byte.backslash: simple = 92
        case UInt8(ascii: "N"): simple = 0x85
        case UInt8(ascii: "_"): simple = 0xA0
        case UInt8(ascii: "L"): simple = 0x2028
        case UInt8(ascii: "P"): simple = 0x2029
        default: simple = nil
        }
        if let simple {
            appendScalar(simple, to: &text)
            return
        }
        let digits: Int
        switch b {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        case Byte.lineFeed, Byte.carriageReturn:
            // An escaped line break joins the lines without a space; empty lines still count.
            pos -= 1
            consumeBreak()
            let emptyLines = try skipFoldedLines(quoteStart: quoteStart, name: "double-quoted")
            text.append(contentsOf: repeatElement(Byte.lineFeed, count: emptyLines))
            return
        case Byte.eof:
            throw error(
                "unterminated double-quoted scalar: expected a closing '\"' before end of input", at: quoteStart)
        default:
            pos -= 1
            throw error(
                "invalid escape sequence '\\\(foundDescription().dropFirst().prefix(1))' in a double-quoted scalar",
                at: start)
        }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = Byte.hexValue(peek) else {
                throw error(
                    "expected \(digits) hexadecimal digits after '\\\(Character(Unicode.Scalar(b)))'", at: start)
            }
            value = value << 4 | digit
            pos += 1
        }
        guard Unicode.Scalar(value) != nil else {
            throw error("escape '\\\(Character(Unicode.Scalar(b)))' names an invalid Unicode code point", at: start)
        }
        appendScalar(value, to: &text)
    }

    private func appendScalar(_ value: UInt32, to text: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else { return }
        text.append(contentsOf: scalar.utf8)
    }
}
