/// Block structure: the document, block mappings and block sequences (block nodes: YAMLParser+BlockNode).

extension YAMLParser {
    mutating func parseDocument() throws(YAMLError) -> YAMLNode? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            pos = 3
            lineStart = 3
        }
        try rejectControlCharacters()
        var sawDirective = false
        // Tabs before the root node are separation, not indentation; parseBlockNode checks what follows them.
        while true {
            _ = skipToContentKeepingTabs()
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
        _ = skipToContentKeepingTabs()
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
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    private mutating func parseBlockMappingKey() throws(YAMLError) -> YAMLNode {
        // A key is a single line; one that runs on is reported as that, not as a badly indented line.
        flowLineIndent = 0
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
