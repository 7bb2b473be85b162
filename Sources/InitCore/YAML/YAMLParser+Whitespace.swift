/// Skipping separation: blanks, comments, line breaks; plus the checks that belong to them (tab indentation,
/// document markers) and the wording of "found ..." in diagnostics.
extension YAMLParser {
    mutating func skipInlineBlanks() {
        while pos < bytes.count, Byte.isBlank(bytes[pos]) { pos += 1 }
    }

    mutating func skipComment() {
        guard peek == Byte.hash else { return }
        while pos < bytes.count, !Byte.isBreak(bytes[pos]) { pos += 1 }
    }

    /// Skips blanks, comments and line breaks up to the next content byte (or the end) and returns whether a
    /// line break was crossed. Block structure is told by indentation, so tabs before the first content byte of
    /// a line are rejected here.
    @discardableResult
    mutating func skipToContent() throws(YAMLError) -> Bool {
        let crossedBreak = skipToContentKeepingTabs()
        if let tab = tabBeforeContent() { throw tabIndentationError(at: tab) }
        return crossedBreak
    }

    /// `skipToContent` for where a tab may precede the first content of a line: after the indentation, tabs
    /// separate like spaces before a flow node (`key:\n \t[a]`); the caller checks what follows them.
    mutating func skipToContentKeepingTabs() -> Bool {
        var crossedBreak = false
        while true {
            skipInlineBlanks()
            skipComment()
            guard Byte.isBreak(peek) else { break }
            consumeBreak()
            crossedBreak = true
        }
        return crossedBreak
    }

    /// The position of the first tab before the current byte when only blanks precede it on its line.
    func tabBeforeContent() -> Int? {
        guard !isAtEnd else { return nil }
        var index = lineStart
        var firstTab: Int?
        while index < pos {
            let b = bytes[index]
            if b == Byte.tab {
                if firstTab == nil { firstTab = index }
            } else if b != Byte.space {
                return nil
            }
            index += 1
        }
        return firstTab
    }

    /// Leading spaces of the current line, which is all YAML counts as indentation.
    var lineIndentation: Int {
        var index = lineStart
        while index < bytes.count && bytes[index] == Byte.space { index += 1 }
        return index - lineStart
    }

    mutating func deferFlowError(_ problem: YAMLError) {
        if deferredFlowError == nil { deferredFlowError = problem }
    }

    /// Warns about a line inside a flow node that is not indented past the enclosing block node (once per
    /// outermost flow node). libyaml ignores indentation inside flow nodes, so the line is taken as it is.
    mutating func noteUnderIndentedFlowLine(contentAt start: Int) {
        guard !flowNodeWarned else { return }
        flowNodeWarned = true
        let name: String
        switch flowNodeOpening {
        case Byte.openBracket: name = "flow sequence"
        case Byte.openBrace: name = "flow mapping"
        case Byte.singleQuote: name = "single-quoted scalar"
        default: name = "double-quoted scalar"
        }
        let spaces = lineIndentation
        let tabNote =
            lineStart + spaces < bytes.count && bytes[lineStart + spaces] == Byte.tab
            ? " (a tab is not indentation)" : ""
        warn(
            "this line of a \(name) is not indented past its \(flowNodeIsSequenceEntry ? "'-'" : "key")",
            requirement: "YAML 1.2 requires at least \(flowLineIndent) space\(flowLineIndent == 1 ? "" : "s") of "
                + "indentation here, found \(spaces)\(tabNote)",
            at: location(of: Mark(pos: start, line: line, lineStart: lineStart)))
    }

    /// Warns about a `#` right after a non-blank byte: YAML 1.2 starts a comment only after a blank, libyaml
    /// after any token, and so the reader takes it as a comment (the caller skips it).
    mutating func noteGluedComment() {
        guard pos > lineStart, !Byte.isBlank(bytes[pos - 1]) else { return }
        let before = Character(Unicode.Scalar(bytes[pos - 1]))
        warn(
            "a comment is glued to the '\(before)' before it",
            requirement: "YAML 1.2 requires a blank before the '#' of a comment", at: here)
    }

    /// A tab at `tab` (a byte position on the current line) where YAML wants indentation.
    mutating func tabIndentationError(at tab: Int) -> YAMLError {
        let at = location(of: Mark(pos: tab, line: line, lineStart: lineStart))
        return error("tab characters must not be used for indentation; indent with spaces", at: at)
    }

    /// `---` or `...` at the start of a line, followed by a blank, a break or the end.
    func isAtDocumentMarker() -> Bool {
        guard pos == lineStart, pos + 2 < bytes.count else { return false }
        let b = bytes[pos]
        guard (b == Byte.dash || b == Byte.dot) && bytes[pos + 1] == b && bytes[pos + 2] == b else { return false }
        return Byte.isBlankBreakOrEnd(peek(3))
    }

    var isAtDocumentStartMarker: Bool { isAtDocumentMarker() && peek == Byte.dash }

    /// Skips a trailing comment and requires the line to end; used after inline scalars and flow collections.
    /// A `#` glued to a closing quote or bracket is taken as a comment, as libyaml does, with a warning: the spec
    /// wants a blank first. `what` is only rendered on failure, keeping the common path free of strings.
    mutating func expectEndOfLine(after what: @autoclosure () -> String) throws(YAMLError) {
        skipInlineBlanks()
        if peek == Byte.hash { noteGluedComment() }
        skipComment()
        guard Byte.isBreakOrEnd(peek) else {
            throw errorHere("expected end of line after \(what()), found \(foundDescription())")
        }
    }

    /// How the text at the current position is named in "found ..." messages.
    func foundDescription() -> String {
        if isAtEnd { return "end of input" }
        let b = bytes[pos]
        if Byte.isBreak(b) { return "end of line" }
        if b == Byte.tab { return "a tab" }
        var end = pos
        while end < bytes.count && end - pos < 24 {
            let c = bytes[end]
            let isWordByte =
                c >= 0x80 || Byte.isDecimalDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z"))
                || c == UInt8(ascii: "_") || c == Byte.dot || (c == Byte.dash && end > pos)
            guard isWordByte else { break }
            end += 1
        }
        if end == pos {
            // A single indicator or punctuation byte (ASCII), or one multi-byte scalar.
            end = pos + 1
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        } else {
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        }
        return "'" + String(decoding: bytes[pos..<end], as: UTF8.self) + "'"
    }

    /// A short rendering of a node for messages: a scalar's text, or a placeholder for collections.
    static func displayName(of node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let text, _):
            let flat = text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
            return flat.count > 40 ? String(flat.prefix(40)) + "..." : flat
        case .sequence: return "[...]"
        case .mapping: return "{...}"
        }
    }
}
