/// Recursive-descent reader over UTF-8 bytes. Block structure follows the column of each line's first content
/// byte; flow collections and scalars are scanned in place. Aliases are expanded and merge keys applied as the
/// tree is built, so nothing needs a second pass.
struct YAMLParser {
    /// Deeper documents are rejected instead of risking the stack. The functions that recurse per level
    /// (parseBlockNode, parseBlockSequence, parseBlockMapping, parseFlowCollection, parseFlowNode) keep their
    /// frames small by calling the leaf work out of line (`@inline(never)`): inlined, its locals made
    /// parseBlockNode's frame ~15 KB under AddressSanitizer, and 450 levels of `- ` overflowed an 8 MB stack.
    static let maxDepth = 512
    /// Caps the size of the tree after alias expansion (billion-laughs documents).
    static let maxExpandedNodes = 1_000_000

    let bytes: [UInt8]
    let file: String
    var pos = 0
    var line = 1
    var lineStart = 0

    var depth = 0
    /// Deepest nesting reached (after alias expansion) since the innermost open anchor started.
    var deepest = 0
    /// Nodes created so far, counting every node an alias copies.
    var nodeCount = 0
    var anchors: [String: AnchoredNode] = [:]
    /// Anchors whose node is still being parsed; an alias to one of them would be recursive.
    var openAnchors: [String: Int] = [:]
    var columnCache = ColumnCache()
    /// Spaces a line inside a flow node (collection or quoted scalar) must be indented by: the flow node
    /// belongs to a block node, whose continuation lines go past the enclosing block's indentation. libyaml
    /// does not check it, so a line short of it is a warning (`noteUnderIndentedFlowLine`).
    var flowLineIndent = 0
    /// The outermost flow node `flowLineIndent` applies to, for the warning: its first byte, whether it is the
    /// entry of a block sequence (else a mapping value), and whether it was warned about already (once is enough).
    var flowNodeOpening: UInt8 = 0
    var flowNodeIsSequenceEntry = false
    var flowNodeWarned = false
    /// The first problem found inside the current flow node that an unclosed quote or bracket would also cause
    /// (a key running over lines), reported once the node is closed: if it is not, that is the better diagnosis.
    var deferredFlowError: YAMLError?
    /// What YAML 1.2 forbids but the reader accepts as libyaml does, in document order.
    var warnings: [YAMLWarning] = []
    /// Where the last plain scalar `continuePlain` read ends (after its last line taken).
    var plainEnd = 0

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }
}

/// A saved scanner position, for the few places that look ahead and back off.
struct Mark {
    var pos: Int
    var line: Int
    var lineStart: Int
}

struct AnchoredNode {
    var node: YAMLNode
    /// Nodes in the expanded subtree, charged again at every alias.
    var size: Int
    /// Nesting levels the subtree adds where an alias puts it.
    var height: Int
}

/// Column numbers count Unicode scalars, not bytes; remembering the last answer keeps a long single line
/// (a minified flow document) linear instead of quadratic.
struct ColumnCache {
    var lineStart = -1
    var pos = 0
    var column = 0
}

extension YAMLParser {
    var isAtEnd: Bool { pos >= bytes.count }
    var peek: UInt8 { pos < bytes.count ? bytes[pos] : Byte.eof }
    func peek(_ offset: Int) -> UInt8 {
        let index = pos + offset
        return index < bytes.count ? bytes[index] : Byte.eof
    }
    /// 0-based byte column; indentation is spaces only, so bytes and characters agree where it matters.
    var column: Int { pos - lineStart }
    var mark: Mark { Mark(pos: pos, line: line, lineStart: lineStart) }

    mutating func reset(to mark: Mark) {
        pos = mark.pos
        line = mark.line
        lineStart = mark.lineStart
    }

    mutating func location(of mark: Mark) -> SourceLocation {
        var from = mark.lineStart
        var count = 0
        if columnCache.lineStart == mark.lineStart && columnCache.pos <= mark.pos {
            from = columnCache.pos
            count = columnCache.column
        }
        var index = from
        let end = min(mark.pos, bytes.count)
        while index < end {
            if bytes[index] & 0xC0 != 0x80 { count += 1 }
            index += 1
        }
        columnCache = ColumnCache(lineStart: mark.lineStart, pos: mark.pos, column: count)
        return SourceLocation(line: mark.line, column: count + 1)
    }

    var here: SourceLocation {
        mutating get { location(of: mark) }
    }

    mutating func warn(_ problem: String, requirement: String, at location: SourceLocation) {
        warnings.append(YAMLWarning(file: file, location: location, problem: problem, requirement: requirement))
    }

    func error(_ message: String, at location: SourceLocation) -> YAMLError {
        YAMLError(file: file, location: location, message: message)
    }

    mutating func errorHere(_ message: String) -> YAMLError {
        error(message, at: here)
    }

    /// Consumes one line break (`\n`, `\r\n` or `\r`) and starts a new line.
    mutating func consumeBreak() {
        if peek == Byte.carriageReturn {
            pos += 1
            if peek == Byte.lineFeed { pos += 1 }
        } else {
            pos += 1
        }
        line += 1
        lineStart = pos
    }

    mutating func enterNesting() throws(YAMLError) {
        depth += 1
        if depth > Self.maxDepth {
            throw errorHere("nesting is deeper than \(Self.maxDepth) levels")
        }
        if depth > deepest { deepest = depth }
    }

    mutating func countNode() {
        nodeCount += 1
    }

    mutating func emptyNode(at location: SourceLocation) -> YAMLNode {
        countNode()
        return YAMLNode(.scalar(text: "", style: .plain), location: location)
    }
}
