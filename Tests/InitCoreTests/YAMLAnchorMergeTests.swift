import InitCore
import Testing

/// Aliases come out expanded and merge keys applied, with the YAML merge precedence rules.
@Suite struct YAMLAnchorMergeTests {
    @Test func aliasesAreExpanded() {
        #expect(YAMLTestSupport.json("a: &x [1, {b: 2}]\nc: *x\n") == #"{"a":[1,{"b":2}],"c":[1,{"b":2}]}"#)
        #expect(YAMLTestSupport.json("- &s text\n- *s\n- [*s, {k: *s}]\n") == #"["text","text",["text",{"k":"text"}]]"#)
    }

    @Test func anchorOnItsOwnLineNamesTheCollectionBelow() {
        #expect(YAMLTestSupport.json("base: &b\n  x: 1\ncopy: *b\n") == #"{"base":{"x":1},"copy":{"x":1}}"#)
        #expect(YAMLTestSupport.json("- &e\n  - 1\n- *e\n") == #"[[1],[1]]"#)
    }

    @Test func anchorBeforeAKeyOnTheSameLineNamesTheKey() {
        #expect(YAMLTestSupport.json("- &k name: v\n- *k\n") == #"[{"name":"v"},"name"]"#)
    }

    @Test func redefinedAnchorUsesTheLatestNode() {
        #expect(YAMLTestSupport.json("a: &x 1\nb: *x\nc: &x 2\nd: *x\n") == #"{"a":1,"b":1,"c":2,"d":2}"#)
    }

    @Test func emptyAnchoredNodeIsNull() {
        #expect(YAMLTestSupport.json("a: &x\nb: *x\n") == #"{"a":null,"b":null}"#)
    }

    @Test func mergeKeySuppliesMissingKeysAndExplicitKeysWin() {
        let yaml = """
            base: &base {restart: always, backoff: 1, namespace: core}
            svc:
              command: run
              <<: *base
              namespace: web
            """
        #expect(
            YAMLTestSupport.json(yaml)
                == #"{"base":{"restart":"always","backoff":1,"namespace":"core"},"svc":{"restart":"always","backoff":1,"namespace":"web","command":"run"}}"#
        )
    }

    @Test func earlierMergeSourcesWinOverLaterOnes() {
        let yaml = """
            a: &a {k: from-a, only_a: 1}
            b: &b {k: from-b, only_b: 2}
            m:
              <<: [*a, *b]
            """
        #expect(YAMLTestSupport.json(yaml).hasSuffix(#""m":{"k":"from-a","only_a":1,"only_b":2}}"#))
    }

    @Test func mergeAcceptsInlineMappingsAndNestedMerges() {
        let yaml = """
            root: &root {a: 1}
            mid: &mid
              <<: *root
              b: 2
            leaf:
              <<: [*mid, {c: 3}]
              a: 10
            """
        #expect(YAMLTestSupport.json(yaml).hasSuffix(#""leaf":{"a":10,"b":2,"c":3}}"#))
    }

    @Test func mergedKeysDoNotCountAsDuplicates() {
        #expect(YAMLTestSupport.json("b: &b {x: 1}\nm:\n  x: 2\n  <<: *b\n") == #"{"b":{"x":1},"m":{"x":2}}"#)
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() {
        #expect(YAMLTestSupport.json("\"<<\": {a: 1}\n") == #"{"<<":{"a":1}}"#)
    }

    @Test func mergeInFlowMapping() {
        #expect(
            YAMLTestSupport.json("b: &b {x: 1, y: 2}\nm: {<<: *b, y: 3}\n") == #"{"b":{"x":1,"y":2},"m":{"x":1,"y":3}}"#
        )
    }

    @Test func aliasTopTakesTheAliasLocationAndInnerNodesKeepTheAnchors() throws {
        let root = try YAMLTestSupport.parse("a: &x\n  k: v\nb: *x\n")
        guard case .mapping(let entries) = root.content, case .mapping(let copied) = entries[1].value.content else {
            Issue.record("expected mappings")
            return
        }
        #expect(entries[1].value.location == SourceLocation(line: 3, column: 4))
        #expect(copied[0].key.location == SourceLocation(line: 2, column: 3))
        #expect(copied[0].value.location == SourceLocation(line: 2, column: 6))
    }

    @Test func mergedEntriesKeepTheirSourceLocations() throws {
        let root = try YAMLTestSupport.parse("b: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n")
        guard case .mapping(let entries) = root.content, case .mapping(let merged) = entries[1].value.content else {
            Issue.record("expected mappings")
            return
        }
        #expect(
            merged.map { $0.key.location } == [SourceLocation(line: 1, column: 8), SourceLocation(line: 4, column: 3)])
    }
}
