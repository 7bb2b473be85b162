/// Literal (`|`) and folded (`>`) block scalars with chomping and indentation indicators.
extension YAMLParser {
    private enum Chomping {
        case strip, clip, keep
    }

    /// `parentIndent` is the indentation of the enclosing block collection (-1 at the top); content lines must
    /// be indented more than it.
    mutating func parseBlockScalar(parentIndent: Int) throws(YAMLError) -> YAMLNode {
        let start = here
        let isFolded = peek == Byte.greaterThan
        pos += 1
        var chomping: Chomping?
        var increment: Int?
        while true {
            let b = peek
            if b == Byte.plus || b == Byte.dash {
                if chomping != nil { throw errorHere("a block scalar header can have only one chomping indicator") }
                chomping = b == Byte.plus ? .keep : .strip
            } else if b >= Byte.one && b <= Byte.nine {
                if increment != nil { throw errorHere("a block scalar header can have only one indentation indicator") }
                increment = Int(b - Byte.zero)
            } else if b == Byte.zero {
                throw errorHere("the indentation indicator of a block scalar must be 1-9, found '0'")
            } else {
                break
            }
            pos += 1
        }
        skipInlineBlanks()
        if peek == Byte.hash {
            // `|#c`: libyaml takes a comment glued to the header as one (with a warning: YAML 1.2 wants a blank).
            noteGluedComment()
            skipComment()
        }
        guard Byte.isBreakOrEnd(peek) else {
            throw errorHere(
                "expected a comment or a line break after the block scalar header, found \(foundDescription())")
        }
        if !isAtEnd { consumeBreak() }

        let indent: Int
        var breaks: Int
        if let increment {
            indent = max(parentIndent, 0) + increment
            breaks = try skipBlockScalarBreaks(indent: indent)
        } else {
            (indent, breaks) = try detectBlockScalarIndent(minimum: parentIndent + 1)
        }

        var text: [UInt8] = []
        var lastBreak = 0
        while column == indent && !isAtEnd && !(indent == 0 && isAtDocumentMarker()) {
            text.append(contentsOf: repeatElement(Byte.lineFeed, count: breaks))
            let startsWithBlank = Byte.isBlank(peek)
            let contentStart = pos
            var onlyBlanks = true
            while pos < bytes.count && !Byte.isBreak(bytes[pos]) {
                if !Byte.isBlank(bytes[pos]) { onlyBlanks = false }
                pos += 1
            }
            text.append(contentsOf: bytes[contentStart..<pos])
            // A last line of blanks without a line break counts as ending with one (as the yaml-test-suite has it).
            lastBreak = isAtEnd && !onlyBlanks ? 0 : 1
            if isAtEnd {
                breaks = 0
                break
            }
            consumeBreak()
            breaks = try skipBlockScalarBreaks(indent: indent)
            guard column == indent && !isAtEnd && !(indent == 0 && isAtDocumentMarker()) else { break }
            // Folding: a break between two lines that start without blanks becomes a space, or disappears when
            // empty lines follow it (they stand for themselves). More-indented lines keep their breaks.
            if isFolded && !startsWithBlank && !Byte.isBlank(peek) {
                if breaks == 0 { text.append(Byte.space) }
            } else {
                text.append(Byte.lineFeed)
            }
        }
        switch chomping ?? .clip {
        case .strip: break
        case .clip: text.append(contentsOf: repeatElement(Byte.lineFeed, count: lastBreak))
        case .keep: text.append(contentsOf: repeatElement(Byte.lineFeed, count: lastBreak + breaks))
        }
        countNode()
        return YAMLNode(
            .scalar(text: String(decoding: text, as: UTF8.self), style: isFolded ? .folded : .literal),
            location: start)
    }

    /// Skips indentation (up to `indent` spaces) and empty lines; returns the number of line breaks skipped (a
    /// last line of spaces without a break counts as one).
    private mutating func skipBlockScalarBreaks(indent: Int) throws(YAMLError) -> Int {
        var breaks = 0
        while column < indent && peek == Byte.space { pos += 1 }
        try rejectTabInEmptyLine(indent: indent)
        while Byte.isBreak(peek) {
            consumeBreak()
            breaks += 1
            while column < indent && peek == Byte.space { pos += 1 }
            try rejectTabInEmptyLine(indent: indent)
        }
        if isAtLastLineOfSpaces { breaks += 1 }
        return breaks
    }

    /// At the end of input on a line of spaces, which counts as an empty line ending with a break.
    private var isAtLastLineOfSpaces: Bool {
        isAtEnd && pos > lineStart && bytes[lineStart..<pos].allSatisfy { $0 == Byte.space }
    }

    /// An empty line of a block scalar is spaces only: a tab within its indentation ends the scalar on a line
    /// that is no comment and no content either.
    private mutating func rejectTabInEmptyLine(indent: Int) throws(YAMLError) {
        guard peek == Byte.tab && column < indent else { return }
        var index = pos
        while index < bytes.count && Byte.isBlank(bytes[index]) { index += 1 }
        if index == bytes.count || Byte.isBreak(bytes[index]) { throw tabIndentationError(at: pos) }
    }

    /// Auto-detected indentation: that of the first non-empty line, at least `minimum`. Leading empty lines are
    /// skipped and counted; one with more spaces than the first content line is an error.
    private mutating func detectBlockScalarIndent(minimum: Int) throws(YAMLError) -> (indent: Int, breaks: Int) {
        var breaks = 0
        var widestEmptyLine = 0
        var widestEmptyLineMark = mark
        while true {
            while peek == Byte.space { pos += 1 }
            try rejectTabInEmptyLine(indent: minimum)
            if isAtLastLineOfSpaces { breaks += 1 }
            guard Byte.isBreak(peek) else { break }
            if column > widestEmptyLine {
                widestEmptyLine = column
                widestEmptyLineMark = mark
            }
            consumeBreak()
            breaks += 1
        }
        let indent = max(minimum, column)
        if widestEmptyLine > indent && !isAtEnd && column >= minimum {
            throw error(
                "a leading empty line of this block scalar has more spaces than its first content line",
                at: location(of: widestEmptyLineMark))
        }
        return (indent, breaks)
    }
}
