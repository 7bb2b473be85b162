/// Flow collections: `[a, b]` and `{k: v}`, nested, over several lines, with trailing commas.
extension YAMLParser {
    /// At `[` or `{`.
    mutating func parseFlowCollection() throws(YAMLError) -> YAMLNode {
        let start = here
        let isSequence = peek == Byte.openBracket
        let closing = isSequence ? Byte.closeBracket : Byte.closeBrace
        let name = isSequence ? "flow sequence" : "flow mapping"
        let closingText = isSequence ? "']'" : "'}'"
        pos += 1
        var items: [YAMLNode] = []
        var builder = YAMLMappingBuilder()
        while true {
            try skipFlowSpace(opening: start, name: name, closingText: closingText)
            if peek == closing {
                pos += 1
                break
            }
            if peek == Byte.comma {
                throw errorHere("expected an entry or \(closingText) in the \(name), found ','")
            }
            if peek == Byte.question && Byte.isBlankBreakOrEnd(peek(1)) {
                throw errorHere("explicit mapping keys ('? ') are not supported; write 'key: value'")
            }
            let entryStart = here
            let key = try parseFlowNode(opening: start, name: name, closingText: closingText)
            let isJSONLike = Self.isJSONLike(key)
            try skipFlowSpace(opening: start, name: name, closingText: closingText)
            var value: YAMLNode?
            if peek == Byte.colon && (isJSONLike || Byte.isBlankBreakOrEnd(peek(1)) || Byte.isFlowIndicator(peek(1))) {
                if isSequence && line != entryStart.line {
                    deferFlowError(
                        error(
                            "the key of a single-pair mapping in a flow sequence must be on one line with its ':'",
                            at: entryStart))
                }
                pos += 1
                try skipFlowSpace(opening: start, name: name, closingText: closingText)
                if peek == Byte.comma || peek == closing {
                    value = emptyNode(at: here)
                } else {
                    value = try parseFlowNode(opening: start, name: name, closingText: closingText)
                }
            }
            if isSequence {
                if let value {
                    // `[key: value]` is a sequence holding a single-pair mapping.
                    var pair = YAMLMappingBuilder()
                    try pair.add(key: key, value: value, file: file)
                    countNode()
                    items.append(YAMLNode(.mapping(pair.build()), location: entryStart))
                } else {
                    items.append(key)
                }
            } else {
                try builder.add(key: key, value: value ?? emptyNode(at: here), file: file)
            }
            try skipFlowSpace(opening: start, name: name, closingText: closingText)
            if peek == Byte.comma {
                pos += 1
            } else if peek != closing {
                throw errorHere("expected ',' or \(closingText) in the \(name), found \(foundDescription())")
            }
        }
        countNode()
        return YAMLNode(isSequence ? .sequence(items) : .mapping(builder.build()), location: start)
    }

    /// After a quoted scalar or a flow collection, `:` is a value indicator even without a following space.
    private static func isJSONLike(_ node: YAMLNode) -> Bool {
        switch node.content {
        case .scalar(_, let style): return style == .singleQuoted || style == .doubleQuoted
        case .sequence, .mapping: return true
        }
    }

    /// Skips blanks (tabs included), comments and line breaks inside a flow collection. A line that goes on
    /// with an entry should be indented by `flowLineIndent` spaces (a warning otherwise); a closing bracket may
    /// sit anywhere (a common style, and libyaml takes it). A comment glued to the token before it is taken as
    /// one, with a warning, as libyaml takes it.
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    private mutating func skipFlowSpace(opening: SourceLocation, name: String, closingText: String) throws(YAMLError) {
        var crossedBreak = false
        while true {
            let b = peek
            if Byte.isBlank(b) {
                pos += 1
            } else if b == Byte.hash {
                noteGluedComment()
                skipComment()
            } else if Byte.isBreak(b) {
                consumeBreak()
                crossedBreak = true
                if isAtDocumentMarker() {
                    throw error("unterminated \(name): expected \(closingText) before the document marker", at: opening)
                }
            } else if isAtEnd {
                throw error("unterminated \(name): expected \(closingText) before end of input", at: opening)
            } else {
                if crossedBreak && b != Byte.closeBracket && b != Byte.closeBrace && lineIndentation < flowLineIndent {
                    noteUnderIndentedFlowLine(contentAt: pos)
                }
                return
            }
        }
    }

    /// One node inside a flow collection; empty (null) when a `,`, `:` or closing bracket comes first.
    private mutating func parseFlowNode(opening: SourceLocation, name: String, closingText: String) throws(YAMLError)
        -> YAMLNode
    {
        try enterNesting()
        defer { depth -= 1 }
        let start = here
        let properties = try parseProperties(flow: true)
        let scope = beginProperties(properties)
        if !properties.isEmpty { try skipFlowSpace(opening: opening, name: name, closingText: closingText) }
        let b = peek
        let next = peek(1)
        var node: YAMLNode
        if b == Byte.comma || b == Byte.closeBracket || b == Byte.closeBrace
            || (b == Byte.colon && (Byte.isBlankBreakOrEnd(next) || Byte.isFlowIndicator(next)))
        {
            node = emptyNode(at: properties.location ?? start)
        } else if b == Byte.openBracket || b == Byte.openBrace {
            node = try parseFlowCollection()
        } else if b == Byte.singleQuote || b == Byte.doubleQuote {
            node = try parseQuotedScalar()
        } else if b == Byte.asterisk {
            if !properties.isEmpty { throw errorHere("an alias cannot have an anchor or a tag") }
            node = try parseAlias()
        } else if b == Byte.pipe || b == Byte.greaterThan {
            throw errorHere("block scalars ('|', '>') are not allowed inside a \(name)")
        } else if canStartPlain(flow: true) {
            node = parsePlainScalar(parentIndent: -1, flow: true)
        } else {
            throw errorHere("unexpected \(foundDescription()) in a \(name)")
        }
        try finishProperties(&node, properties, scope)
        return node
    }
}
