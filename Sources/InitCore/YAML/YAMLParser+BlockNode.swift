/// Block nodes: what precedes a node's content (properties, separation), and which kind of node it starts.
enum BlockContext {
    case document
    /// The value after `key:`; a sequence may sit at the key's own indentation.
    case mappingValue(key: YAMLNode)
    /// The entry after `- `; a compact mapping or sequence may start on the dash's line.
    case sequenceEntry
}

/// What came before a block node's content: its properties and where the content sits.
struct BlockNodeHead {
    /// Properties alone on their line(s): they belong to the node below them, a collection included.
    var outer = NodeProperties()
    var outerScope: AnchorScope
    /// Properties on the content's line: they belong to that content (for `&a key: value`, to the key).
    var inline = NodeProperties()
    var inlineScope: AnchorScope
    /// Where the inline properties start (or the content, without them): a mapping's key column.
    var inlineColumn: Int
    var contentColumn: Int
}

/// How a block node starts. The recursive parts (block collections) are parsed by `parseBlockNode` itself, so
/// the frames that stay on the stack while nested nodes are parsed stay small.
enum BlockNodeStart {
    case complete(YAMLNode)
    /// A block sequence whose first `-` is at the position.
    case sequence(BlockNodeHead)
    /// A block mapping whose first key (properties applied) is parsed; the position is at its `:`.
    case mapping(BlockNodeHead, firstKey: YAMLNode, location: SourceLocation)
    /// A scalar, flow collection or alias; the head's properties are still to be applied.
    case node(BlockNodeHead, YAMLNode)
}

extension YAMLParser {
    /// A node in block context, starting after `key:`, `- `, `---` or at the start of the document.
    /// `parentIndent` is the indentation of the enclosing block collection (-1 for the root).
    mutating func parseBlockNode(parentIndent: Int, context: BlockContext) throws(YAMLError) -> YAMLNode {
        try enterNesting()
        defer { depth -= 1 }
        switch try startBlockNode(parentIndent: parentIndent, context: context) {
        case .complete(let node):
            return node
        case .sequence(let head):
            let indent = head.contentColumn
            var node = try parseBlockSequence(indent: indent, sharesParentIndent: indent == parentIndent)
            try finishProperties(&node, head.outer, head.outerScope)
            return node
        case .mapping(let head, let key, let location):
            var node = try parseBlockMapping(indent: head.inlineColumn, firstKey: key, location: location)
            try finishProperties(&node, head.outer, head.outerScope)
            return node
        case .node(let head, var node):
            try finishProperties(&node, head.inline, head.inlineScope)
            try finishProperties(&node, head.outer, head.outerScope)
            return node
        }
    }

    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    private mutating func startBlockNode(parentIndent: Int, context: BlockContext) throws(YAMLError)
        -> BlockNodeStart
    {
        let emptyLocation = here
        let separationStart = pos
        var onNewLine = skipToContentKeepingTabs()
        if case .document = context, isFirstOnLine { onNewLine = true }
        if isEndOfBlockNode(parentIndent: parentIndent, context: context, onNewLine: onNewLine) {
            return .complete(emptyNode(at: emptyLocation))
        }
        var tab = try separatingTab(parentIndent: parentIndent, since: separationStart)

        // An anchor and a tag may take a line each; properties with content after them on their line are the
        // content's own.
        var outer = NodeProperties()
        var inlineColumn = column
        var inline = try parseProperties(flow: false)
        var propertiesOwnLine = false
        while !inline.isEmpty && (Byte.isBreakOrEnd(peek) || peek == Byte.hash) {
            outer = try merging(inline, into: outer)
            let lineEnd = pos
            propertiesOwnLine = skipToContentKeepingTabs()
            if isEndOfBlockNode(parentIndent: parentIndent, context: context, onNewLine: true) {
                let scope = beginProperties(outer)
                var node = emptyNode(at: outer.location ?? emptyLocation)
                try finishProperties(&node, outer, scope)
                return .complete(node)
            }
            tab = try separatingTab(parentIndent: parentIndent, since: lineEnd)
            inlineColumn = column
            inline = try parseProperties(flow: false)
        }
        let head = BlockNodeHead(
            outer: outer, outerScope: beginProperties(outer), inline: inline, inlineScope: beginProperties(inline),
            inlineColumn: inlineColumn, contentColumn: column)
        var collectionAllowed = onNewLine || propertiesOwnLine
        if case .sequenceEntry = context { collectionAllowed = true }
        let start = here
        let b = peek

        if b == Byte.dash && Byte.isBlankBreakOrEnd(peek(1)) {
            guard collectionAllowed else { throw inlineCollectionError(context: context, found: "'-'") }
            if let location = inline.location {
                throw error("a block sequence cannot start on the line of its anchor or tag", at: location)
            }
            if let tab { throw tabIndentationError(at: tab) }
            return .sequence(head)
        }
        if b == Byte.question && Byte.isBlankBreakOrEnd(peek(1)) {
            throw errorHere("explicit mapping keys ('? ') are not supported; write 'key: value'")
        }
        if b == Byte.pipe || b == Byte.greaterThan {
            _ = try merging(inline, into: outer)
            return .node(head, try parseBlockScalar(parentIndent: parentIndent))
        }

        let startLine = line
        var plainFirstLine: Range<Int>?
        var node: YAMLNode
        flowLineIndent = parentIndent + 1
        switch b {
        case Byte.singleQuote, Byte.doubleQuote, Byte.openBracket, Byte.openBrace:
            flowNodeOpening = b
            flowNodeIsSequenceEntry = false
            if case .sequenceEntry = context { flowNodeIsSequenceEntry = true }
            flowNodeWarned = false
            deferredFlowError = nil
            node = try b == Byte.openBracket || b == Byte.openBrace ? parseFlowCollection() : parseQuotedScalar()
            if let problem = deferredFlowError { throw problem }
        case Byte.asterisk:
            if !inline.isEmpty { throw errorHere("an alias cannot have an anchor or a tag") }
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
            if let tab { throw tabIndentationError(at: tab) }
            try finishProperties(&node, inline, head.inlineScope)
            return .mapping(head, firstKey: node, location: start)
        }
        if b == Byte.asterisk && !outer.isEmpty {
            throw error("an alias cannot have an anchor or a tag", at: start)
        }
        reset(to: afterCandidate)
        if let first = plainFirstLine {
            let text = continuePlain(first: first, parentIndent: parentIndent, flow: false)
            node = plainNode(text, first: first, at: start)
            countNode()
        }
        try expectEndOfLine(after: "'\(Self.displayName(of: node))'")
        _ = try merging(inline, into: outer)
        return .node(head, node)
    }

    /// A tab that separates the node's content from what precedes it: after a line's indentation it is fine
    /// before a flow node (the caller rejects it before a block collection), within the indentation never.
    private mutating func separatingTab(parentIndent: Int, since separationStart: Int) throws(YAMLError) -> Int? {
        if let tab = tabBeforeContent() {
            if tab - lineStart <= parentIndent { throw tabIndentationError(at: tab) }
            return tab
        }
        var index = max(separationStart, lineStart)
        while index < pos {
            if bytes[index] == Byte.tab { return index }
            index += 1
        }
        return nil
    }

    /// Properties split over lines (`&a`, then `!!map` below it) are still one anchor and one tag at most.
    private func merging(_ more: NodeProperties, into properties: NodeProperties) throws(YAMLError)
        -> NodeProperties
    {
        var merged = properties
        let location = more.location ?? SourceLocation(line: line, column: 1)
        if let anchor = more.anchor {
            if merged.anchor != nil { throw error("a node can have only one anchor", at: location) }
            merged.anchor = anchor
        }
        if let tag = more.tag {
            if merged.tag != nil { throw error("a node can have only one tag", at: location) }
            merged.tag = tag
        }
        if merged.location == nil { merged.location = more.location }
        return merged
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
}
