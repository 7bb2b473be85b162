import Testing

@testable import InitCore

@Suite struct DependencyGraphTests {
    @Test func startOrderPutsDependenciesFirstAndKeepsDeclarationOrderForTies() {
        let graph = DependencyGraph(
            names: ["web", "db", "cache", "migrate"], edges: ["web": ["migrate", "cache"], "migrate": ["db"]])
        let order = graph.startOrder().map { graph.names[$0] }
        #expect(order == ["db", "cache", "migrate", "web"])
    }

    @Test func findsACycleAndNamesItInOrder() {
        let graph = DependencyGraph(names: ["a", "b", "c", "d"], edges: ["a": ["b"], "b": ["c"], "c": ["a"]])
        #expect(graph.findCycle() == ["a", "b", "c", "a"])
    }

    @Test func selfDependencyIsACycle() {
        #expect(DependencyGraph(names: ["a"], edges: ["a": ["a"]]).findCycle() == ["a", "a"])
    }

    @Test func acyclicGraphHasNoCycle() {
        let graph = DependencyGraph(names: ["a", "b", "c"], edges: ["a": ["b", "c"], "b": ["c"]])
        #expect(graph.findCycle() == nil)
    }

    @Test func levelsCountTheLongestChainBelow() {
        let graph = DependencyGraph(names: ["a", "b", "c", "d"], edges: ["a": ["b", "c"], "b": ["c"], "d": []])
        #expect(graph.levels() == [2, 1, 0, 0])
    }
}

@Suite struct JSONValueTests {
    @Test func escapesControlCharactersAndQuotes() {
        let value = JSONValue.object([
            ("a\"b", .string("line\n\u{1}\\")), ("n", .null), ("x", .array([.int(1), .bool(false)])),
        ])
        #expect(value.rendered() == #"{"a\"b":"line\n\u0001\\","n":null,"x":[1,false]}"#)
    }

    @Test func prettyPrintsWithTwoSpaces() {
        let value = JSONValue.object([("k", .array([.double(1.5)]))])
        #expect(value.rendered(pretty: true) == "{\n  \"k\": [\n    1.5\n  ]\n}")
    }
}
