/// Node properties (`&anchor`, `!tag`) and aliases (`*anchor`).
struct NodeProperties {
    var anchor: String?
    var tag: String?
    var location: SourceLocation?

    var isEmpty: Bool { anchor == nil && tag == nil }
}

/// What `beginProperties` saved so `finishProperties` can size the anchored subtree.
struct AnchorScope {
    var savedDeepest: Int
    var nodeCountAtStart: Int
}

extension YAMLParser {
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    mutating func parseProperties(flow: Bool) throws(YAMLError) -> NodeProperties {
        var properties = NodeProperties()
        while true {
            let start = here
            if peek == Byte.ampersand {
                if properties.anchor != nil { throw errorHere("a node can have only one anchor") }
                pos += 1
                let name = scanAnchorName()
                if name.isEmpty { throw error("expected an anchor name after '&'", at: start) }
                properties.anchor = name
            } else if peek == Byte.exclamation {
                if properties.tag != nil { throw errorHere("a node can have only one tag") }
                properties.tag = try scanTag(flow: flow)
            } else {
                return properties
            }
            if properties.location == nil { properties.location = start }
            guard Byte.isBlankBreakOrEnd(peek) || (flow && Byte.isFlowIndicator(peek)) else {
                throw errorHere("expected a space after the anchor or tag, found \(foundDescription())")
            }
            skipInlineBlanks()
        }
    }

    /// Anchor and alias names: anything up to a blank or flow indicator, `:` included (`&a: b` anchors `b`).
    mutating func scanAnchorName() -> String {
        let start = pos
        while pos < bytes.count {
            let b = bytes[pos]
            if Byte.isBlankBreakOrEnd(b) || Byte.isFlowIndicator(b) { break }
            pos += 1
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    /// `!!str`, `!local`, `!` or verbatim `!<tag:yaml.org,2002:str>` (core verbatim tags are shortened to `!!`).
    mutating func scanTag(flow: Bool) throws(YAMLError) -> String {
        let start = here
        let startPos = pos
        if peek(1) == Byte.lessThan {
            pos += 2
            let nameStart = pos
            while pos < bytes.count && bytes[pos] != Byte.greaterThan && !Byte.isBlankBreakOrEnd(bytes[pos]) {
                pos += 1
            }
            guard peek == Byte.greaterThan, pos > nameStart else {
                throw error("unterminated verbatim tag: expected '>'", at: start)
            }
            let name = String(decoding: bytes[nameStart..<pos], as: UTF8.self)
            pos += 1
            let corePrefix = "tag:yaml.org,2002:"
            return name.hasPrefix(corePrefix) ? "!!" + name.dropFirst(corePrefix.count) : "!<" + name + ">"
        }
        pos += 1
        while pos < bytes.count {
            let b = bytes[pos]
            if Byte.isBlankBreakOrEnd(b) { break }
            if Byte.isFlowIndicator(b) {
                // Tag characters exclude the flow indicators; in a flow collection one ends the tag.
                if flow { break }
                throw errorHere("invalid character '\(Character(Unicode.Scalar(b)))' in tag")
            }
            pos += 1
        }
        return String(decoding: bytes[startPos..<pos], as: UTF8.self)
    }

    mutating func beginProperties(_ properties: NodeProperties) -> AnchorScope {
        let scope = AnchorScope(savedDeepest: deepest, nodeCountAtStart: nodeCount)
        if let anchor = properties.anchor {
            openAnchors[anchor, default: 0] += 1
            deepest = depth
        }
        return scope
    }

    /// Applies the tag (checking it fits the node) and records the anchor.
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    mutating func finishProperties(
        _ node: inout YAMLNode, _ properties: NodeProperties, _ scope: AnchorScope
    ) throws(YAMLError) {
        if let tag = properties.tag {
            try checkTag(tag, fits: node, at: properties.location ?? node.location)
            node.tag = tag
        }
        if let anchor = properties.anchor {
            let height = max(deepest - depth + 1, 1)
            anchors[anchor] = AnchoredNode(node: node, size: nodeCount - scope.nodeCountAtStart, height: height)
            openAnchors[anchor, default: 1] -= 1
            if openAnchors[anchor] == 0 { openAnchors[anchor] = nil }
            deepest = max(scope.savedDeepest, deepest)
        }
    }

    func checkTag(_ tag: String, fits node: YAMLNode, at location: SourceLocation) throws(YAMLError) {
        let kind: String
        switch node.content {
        case .scalar(let text, _):
            let resolves: Bool
            switch tag {
            case "!!map", "!!seq": throw error("tag \(tag) cannot be applied to a scalar", at: location)
            case "!!int": resolves = CoreSchema.integer(text) != nil
            case "!!float": resolves = CoreSchema.float(text) != nil || CoreSchema.integer(text) != nil
            case "!!bool": resolves = CoreSchema.bool(text) != nil
            case "!!null": resolves = CoreSchema.isNull(text)
            default: resolves = true
            }
            if !resolves { throw error("'\(text)' is not a valid \(tag)", at: location) }
            return
        case .sequence: kind = "sequence"
        case .mapping: kind = "mapping"
        }
        let scalarTags: Set<String> = ["!!str", "!!int", "!!float", "!!bool", "!!null"]
        if scalarTags.contains(tag) || (tag == "!!map" && kind == "sequence") || (tag == "!!seq" && kind == "mapping") {
            throw error("tag \(tag) cannot be applied to a \(kind)", at: location)
        }
    }

    /// Expands `*name` to a copy of the anchored node, charging its size against the expansion cap.
    @inline(never)  // keeps the recursive frames small (see YAMLParser.maxDepth)
    mutating func parseAlias() throws(YAMLError) -> YAMLNode {
        let start = here
        pos += 1
        var name = scanAnchorName()
        if name.count > 1 && name.hasSuffix(":") && anchors[name] == nil && openAnchors[name] == nil {
            // `*base: value` is an alias key (as libyaml and PyYAML read it) unless an anchor is named `base:`.
            name.removeLast()
            pos -= 1
        }
        if name.isEmpty { throw error("expected an alias name after '*'", at: start) }
        guard let anchored = anchors[name] else {
            if openAnchors[name] != nil {
                throw error(
                    "alias '*\(name)' refers to the node that contains it; recursive aliases are not supported",
                    at: start)
            }
            throw error("undefined alias '*\(name)': no anchor '&\(name)' appears before it", at: start)
        }
        nodeCount += anchored.size
        if nodeCount > Self.maxExpandedNodes {
            throw error("alias '*\(name)' expands the document beyond \(Self.maxExpandedNodes) nodes", at: start)
        }
        let reach = depth + anchored.height - 1
        if reach > Self.maxDepth {
            throw error("alias '*\(name)' expands the document deeper than \(Self.maxDepth) levels", at: start)
        }
        if reach > deepest { deepest = reach }
        var node = anchored.node
        node.location = start
        return node
    }
}
