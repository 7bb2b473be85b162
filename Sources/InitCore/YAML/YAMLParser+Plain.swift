/// Plain (unquoted) scalars: one line at a time, so block mappings can tell a key (`name:`) from a value first.
extension YAMLParser {
    /// Whether a plain scalar may start here: indicators cannot, except `-`, `?`, `:` followed by a safe byte.
    func canStartPlain(flow: Bool) -> Bool {
        let b = peek
        switch b {
        case Byte.dash, Byte.question, Byte.colon:
            let next = peek(1)
            return !Byte.isBlankBreakOrEnd(next) && !(flow && Byte.isFlowIndicator(next))
        case Byte.comma, Byte.openBracket, Byte.closeBracket, Byte.openBrace, Byte.closeBrace, Byte.hash,
            Byte.ampersand, Byte.asterisk, Byte.exclamation, Byte.pipe, Byte.greaterThan, Byte.singleQuote,
            Byte.doubleQuote, Byte.percent, Byte.at, Byte.backtick:
            return false
        default:
            return !Byte.isBlankBreakOrEnd(b)
        }
    }

    /// Scans the rest of the current line that belongs to a plain scalar and returns its byte range without
    /// trailing blanks. Stops before `: ` (a mapping value), ` #` (a comment), the line break and, in flow
    /// context, flow indicators.
    mutating func scanPlainLine(flow: Bool) -> Range<Int> {
        let start = pos
        var end = pos
        while pos < bytes.count {
            let b = bytes[pos]
            if Byte.isBreak(b) { break }
            if Byte.isBlank(b) {
                var next = pos + 1
                while next < bytes.count && Byte.isBlank(bytes[next]) { next += 1 }
                if next >= bytes.count || bytes[next] == Byte.hash || Byte.isBreak(bytes[next]) { break }
                pos = next
                continue
            }
            if b == Byte.colon {
                let after = peek(1)
                if Byte.isBlankBreakOrEnd(after) || (flow && Byte.isFlowIndicator(after)) { break }
            }
            if flow && Byte.isFlowIndicator(b) { break }
            pos += 1
            end = pos
        }
        pos = end
        return start..<end
    }

    /// Continues a plain scalar whose first line is `first` over following lines indented more than
    /// `parentIndent` (in flow context, over any lines), folding line breaks: one break becomes a space, each
    /// further (empty) line a `\n`. Stops before a comment, a document marker, or (in block context) a line that
    /// holds a mapping key, leaving the position at the end of the last line taken.
    mutating func continuePlain(first: Range<Int>, parentIndent: Int, flow: Bool) -> String {
        var text: [UInt8]?
        plainEnd = first.upperBound
        while true {
            let lineEnd = mark
            skipInlineBlanks()
            guard Byte.isBreak(peek) else {
                reset(to: lineEnd)
                break
            }
            var breaks = 0
            var isContentLine = false
            while Byte.isBreak(peek) {
                consumeBreak()
                breaks += 1
                while peek == Byte.space { pos += 1 }
                let indentation = column
                skipInlineBlanks()
                if Byte.isBreak(peek) { continue }
                // The continuation must be indented with spaces past the parent (tabs may follow the spaces). In
                // flow context the scalar goes on regardless, so an unclosed bracket is still reported as that.
                isContentLine = !isAtEnd && (flow || indentation > parentIndent)
                break
            }
            guard isContentLine, !isAtDocumentMarker(), peek != Byte.hash else {
                reset(to: lineEnd)
                break
            }
            if flow && (Byte.isFlowIndicator(peek) || !canContinuePlainInFlow()) {
                reset(to: lineEnd)
                break
            }
            let chunk = scanPlainLine(flow: flow)
            if chunk.isEmpty || (!flow && peek == Byte.colon) {
                reset(to: lineEnd)
                break
            }
            if flow && lineIndentation < flowLineIndent { noteUnderIndentedFlowLine(contentAt: chunk.lowerBound) }
            if text == nil { text = Array(bytes[first]) }
            if breaks == 1 {
                text!.append(Byte.space)
            } else {
                text!.append(contentsOf: repeatElement(Byte.lineFeed, count: breaks - 1))
            }
            text!.append(contentsOf: bytes[chunk])
            plainEnd = chunk.upperBound
        }
        if let text { return String(decoding: text, as: UTF8.self) }
        return String(decoding: bytes[first], as: UTF8.self)
    }

    /// A flow continuation line that starts with `:` + blank is a value indicator, not scalar text.
    private func canContinuePlainInFlow() -> Bool {
        !(peek == Byte.colon && (Byte.isBlankBreakOrEnd(peek(1)) || Byte.isFlowIndicator(peek(1))))
    }

    /// A complete plain scalar node starting at the current position.
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    mutating func parsePlainScalar(parentIndent: Int, flow: Bool) -> YAMLNode {
        let start = here
        let first = scanPlainLine(flow: flow)
        let text = continuePlain(first: first, parentIndent: parentIndent, flow: flow)
        countNode()
        return plainNode(text, first: first, at: start)
    }

    /// The node for a plain scalar `continuePlain` just read; one that spans lines keeps its source text.
    func plainNode(_ text: String, first: Range<Int>, at start: SourceLocation) -> YAMLNode {
        let source =
            plainEnd > first.upperBound ? String(decoding: bytes[first.lowerBound..<plainEnd], as: UTF8.self) : nil
        return YAMLNode(.scalar(text: text, style: .plain), location: start, sourceText: source)
    }
}
