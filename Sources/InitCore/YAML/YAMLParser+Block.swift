/// Block structure: the document, block nodes, block mappings and block sequences.
enum BlockContext {
    case document
    /// The value after `key:`; a sequence may sit at the key's own indentation.
    case mappingValue(key: YAMLNode)
    /// The entry after `- `; a compact mapping or sequence may start on the dash's line.
    case sequenceEntry
}

extension YAMLParser {
    mutating func parseDocument() throws(YAMLError) -> YAMLNode? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            pos = 3
            lineStart = 3
        }
        try rejectControlCharacters()
        var sawDirective = false
        while true {
            try skipToContent()
            guard peek == Byte.percent && pos == lineStart else { break }
            // %YAML and %TAG directives are skipped: the reader only knows the core schema.
            sawDirective = true
            while !Byte.isBreakOrEnd(peek) { pos += 1 }
        }
        if isAtDocumentStartMarker {
            pos += 3
        } else if sawDirective {
            throw errorHere("expected '---' after the directives, found \(foundDescription())")
        }
        let afterStart = mark
        try skipToContent()
        var root: YAMLNode?
        if !isAtEnd && !isAtDocumentMarker() {
            reset(to: afterStart)
            root = try parseBlockNode(parentIndent: -1, context: .document)
            try skipToContent()
        }
        if isAtDocumentMarker() && peek == Byte.dot {
            pos += 3
            try expectEndOfLine(after: "the document end marker '...'")
            try skipToContent()
            if isAtDocumentStartMarker || (peek == Byte.percent && pos == lineStart) {
                throw errorHere("a second document starts here; only a single YAML document per file is supported")
            }
            if !isAtEnd {
                throw errorHere(
                    "found content after the document end marker '...'; only a single document is supported")
            }
        } else if isAtDocumentStartMarker {
            throw errorHere("a second document starts here; only a single YAML document per file is supported")
        } else if !isAtEnd {
            throw errorHere("expected end of document, found \(foundDescription())")
        }
        return root
    }

    /// YAML excludes C0 controls other than tab and line breaks, and DEL.
    private mutating func rejectControlCharacters() throws(YAMLError) {
        for index in pos..<bytes.count {
            let b = bytes[index]
            guard (b < 0x20 && b != Byte.tab && !Byte.isBreak(b)) || b == 0x7F else { continue }
            var lineNumber = 1
            var start = lineStart  // past a byte-order mark on the first line
            var scan = 0
            while scan < index {
                if bytes[scan] == Byte.lineFeed
                    || (bytes[scan] == Byte.carriageReturn
                        && (scan + 1 >= bytes.count || bytes[scan + 1] != Byte.lineFeed))
                {
                    lineNumber += 1
                    start = scan + 1
                }
                scan += 1
            }
            let hex = String(b, radix: 16, uppercase: true)
            throw error(
                "invalid control character U+\(hex.count < 2 ? "000" : "00")\(hex)",
                at: location(of: Mark(pos: index, line: lineNumber, lineStart: start)))
        }
    }

    /// Whether the current position starts no node: the end, a document marker, or (on a new line) a line not
    /// indented past the parent (except a sequence at its key's own indentation).
    private func isEndOfBlockNode(parentIndent: Int, context: BlockContext, onNewLine: Bool) -> Bool {
        if isAtEnd || isAtDocumentMarker() { return true }
        guard onNewLine else { return false }
        if column > parentIndent { return false }
        if case .mappingValue = context, column == parentIndent, peek == Byte.dash, Byte.isBlankBreakOrEnd(peek(1)) {
            return false
        }
        return true
    }

    /// Whether only blanks precede the current position on its line.
    private var isFirstOnLine: Bool {
        var index = lineStart
        while index < pos {
            if !Byte.isBlank(bytes[index]) { return false }
            index += 1
        }
        return true
    }

    /// A node in block context, starting after `key:`, `- `, `---` or at the start of the document.
    /// `parentIndent` is the indentation of the enclosing block collection (-1 for the root).
    mutating func parseBlockNode(parentIndent: Int, context: BlockContext) throws(YAMLError) -> YAMLNode {
        try enterNesting()
        defer { depth -= 1 }
        let emptyLocation = here
        var onNewLine = try skipToContent()
        if case .document = context, isFirstOnLine { onNewLine = true }
        if isEndOfBlockNode(parentIndent: parentIndent, context: context, onNewLine: onNewLine) {
            return emptyNode(at: emptyLocation)
        }

        let propertiesColumn = column
        let properties = try parseProperties(flow: false)
        let scope = beginProperties(properties)
        // Properties alone on their line belong to the node below; on the content's line, to that content
        // (for `&a key: value` that is the key, not the mapping).
        var propertiesOwnLine = false
        if !properties.isEmpty && (Byte.isBreakOrEnd(peek) || peek == Byte.hash) {
            propertiesOwnLine = try skipToContent()
            if isEndOfBlockNode(parentIndent: parentIndent, context: context, onNewLine: true) {
                var node = emptyNode(at: properties.location ?? emptyLocation)
                try finishProperties(&node, properties, scope)
                return node
            }
        }
        let contentOnNewLine = onNewLine || propertiesOwnLine
        var collectionAllowed = contentOnNewLine
        if case .sequenceEntry = context { collectionAllowed = true }
        let contentColumn = column
        let start = here
        let b = peek

        var node: YAMLNode
        if b == Byte.dash && Byte.isBlankBreakOrEnd(peek(1)) {
            guard collectionAllowed else { throw inlineCollectionError(context: context, found: "'-'") }
            node = try parseBlockSequence(indent: contentColumn, sharesParentIndent: contentColumn == parentIndent)
        } else if b == Byte.question && Byte.isBlankBreakOrEnd(peek(1)) {
            throw errorHere("explicit mapping keys ('? ') are not supported; write 'key: value'")
        } else if b == Byte.pipe || b == Byte.greaterThan {
            node = try parseBlockScalar(parentIndent: parentIndent)
        } else {
            let startLine = line
            var plainFirstLine: Range<Int>?
            switch b {
            case Byte.singleQuote, Byte.doubleQuote: node = try parseQuotedScalar()
            case Byte.openBracket, Byte.openBrace: node = try parseFlowCollection()
            case Byte.asterisk:
                if !properties.isEmpty { throw errorHere("an alias cannot have an anchor or a tag") }
                node = try parseAlias()
            default:
                guard canStartPlain(flow: false) else {
                    throw errorHere("unexpected \(foundDescription()); expected a value")
                }
                plainFirstLine = scanPlainLine(flow: false)
                node = YAMLNode(.scalar(text: "", style: .plain), location: start)
            }
            let afterCandidate = mark
            skipInlineBlanks()
            if peek == Byte.colon && Byte.isBlankBreakOrEnd(peek(1)) {
                if let first = plainFirstLine {
                    node = YAMLNode(
                        .scalar(text: String(decoding: bytes[first], as: UTF8.self), style: .plain), location: start)
                    countNode()
                }
                guard collectionAllowed else {
                    throw error(inlineMappingMessage(context: context, key: node), at: start)
                }
                guard line == startLine else { throw error("a mapping key must be on a single line", at: start) }
                if propertiesOwnLine {
                    var mapping = try parseBlockMapping(indent: contentColumn, firstKey: node, location: start)
                    try finishProperties(&mapping, properties, scope)
                    return mapping
                }
                try finishProperties(&node, properties, scope)
                return try parseBlockMapping(indent: propertiesColumn, firstKey: node, location: start)
            }
            reset(to: afterCandidate)
            if let first = plainFirstLine {
                let text = continuePlain(first: first, parentIndent: parentIndent, flow: false)
                node = YAMLNode(.scalar(text: text, style: .plain), location: start)
                countNode()
            }
            try expectEndOfLine(after: "'\(Self.displayName(of: node))'")
        }
        try finishProperties(&node, properties, scope)
        return node
    }

    private mutating func inlineCollectionError(context: BlockContext, found: String) -> YAMLError {
        switch context {
        case .mappingValue(let key):
            return errorHere(
                "expected a mapping value after '\(Self.displayName(of: key))', found \(found) "
                    + "(a block sequence must start on its own line)")
        default:
            return errorHere("a block sequence cannot start on the '---' line")
        }
    }

    private func inlineMappingMessage(context: BlockContext, key: YAMLNode) -> String {
        switch context {
        case .mappingValue(let outer):
            return "found mapping key '\(Self.displayName(of: key))' on the same line as key "
                + "'\(Self.displayName(of: outer))'; a nested mapping must start on its own line"
        default:
            return "a block mapping cannot start on the '---' line"
        }
    }

    /// Entries of a block mapping whose keys sit at column `indent`; the first key is already parsed and the
    /// position is at its `:`.
    mutating func parseBlockMapping(indent: Int, firstKey: YAMLNode, location: SourceLocation) throws(YAMLError)
        -> YAMLNode
    {
        var builder = YAMLMappingBuilder()
        var key = firstKey
        while true {
            pos += 1
            let value = try parseBlockNode(parentIndent: indent, context: .mappingValue(key: key))
            try builder.add(key: key, value: value, file: file)
            try skipToContent()
            if isAtEnd || isAtDocumentMarker() || column < indent { break }
            if column > indent {
                throw errorHere(
                    "bad indentation: expected a mapping key at column \(indent + 1) or a less indented line, "
                        + "found \(foundDescription()) at column \(column + 1)")
            }
            key = try parseBlockMappingKey()
        }
        countNode()
        return YAMLNode(.mapping(builder.build()), location: location)
    }

    /// A key of a block mapping after the first, up to (not including) its `:`.
    private mutating func parseBlockMappingKey() throws(YAMLError) -> YAMLNode {
        let properties = try parseProperties(flow: false)
        let scope = beginProperties(properties)
        if !properties.isEmpty && (Byte.isBreakOrEnd(peek) || peek == Byte.hash) {
            throw errorHere("expected a mapping key after the anchor or tag, found \(foundDescription())")
        }
        let start = here
        let startLine = line
        let b = peek
        let next = peek(1)
        var key: YAMLNode
        if b == Byte.dash && Byte.isBlankBreakOrEnd(next) {
            throw errorHere(
                "expected a mapping key, found '-' (a sequence entry cannot follow a mapping entry at the same indentation)"
            )
        } else if b == Byte.question && Byte.isBlankBreakOrEnd(next) {
            throw errorHere("explicit mapping keys ('? ') are not supported; write 'key: value'")
        } else if b == Byte.colon && Byte.isBlankBreakOrEnd(next) {
            throw errorHere("expected a mapping key before ':'")
        } else if b == Byte.pipe || b == Byte.greaterThan {
            throw errorHere("a block scalar cannot be a mapping key")
        } else if b == Byte.singleQuote || b == Byte.doubleQuote {
            key = try parseQuotedScalar()
        } else if b == Byte.openBracket || b == Byte.openBrace {
            key = try parseFlowCollection()
        } else if b == Byte.asterisk {
            if !properties.isEmpty { throw errorHere("an alias cannot have an anchor or a tag") }
            key = try parseAlias()
        } else {
            guard canStartPlain(flow: false) else {
                throw errorHere("expected a mapping key, found \(foundDescription())")
            }
            let range = scanPlainLine(flow: false)
            key = YAMLNode(.scalar(text: String(decoding: bytes[range], as: UTF8.self), style: .plain), location: start)
            countNode()
        }
        skipInlineBlanks()
        guard peek == Byte.colon && Byte.isBlankBreakOrEnd(peek(1)) else {
            throw errorHere(
                "expected ':' after mapping key '\(Self.displayName(of: key))', found \(foundDescription())")
        }
        guard line == startLine else { throw error("a mapping key must be on a single line", at: start) }
        try finishProperties(&key, properties, scope)
        return key
    }

    /// Entries of a block sequence whose dashes sit at column `indent`; the position is at the first `-`.
    mutating func parseBlockSequence(indent: Int, sharesParentIndent: Bool) throws(YAMLError) -> YAMLNode {
        let location = here
        var items: [YAMLNode] = []
        while true {
            pos += 1
            items.append(try parseBlockNode(parentIndent: indent, context: .sequenceEntry))
            try skipToContent()
            if isAtEnd || isAtDocumentMarker() || column < indent { break }
            if column > indent {
                throw errorHere(
                    "bad indentation: expected a sequence entry '-' at column \(indent + 1) or a less indented line, "
                        + "found \(foundDescription()) at column \(column + 1)")
            }
            guard peek == Byte.dash && Byte.isBlankBreakOrEnd(peek(1)) else {
                if sharesParentIndent { break }
                throw errorHere("expected a sequence entry '- ' at column \(indent + 1), found \(foundDescription())")
            }
        }
        countNode()
        return YAMLNode(.sequence(items), location: location)
    }
}
