import InitCore
import Testing

/// Block and flow structure, comments and document markers, checked through the JSON view.
@Suite struct YAMLStructureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        var json: String
        var testDescription: String { yaml.debugDescription }
    }

    static let blockCases: [Case] = [
        Case(yaml: "a: 1\nb: two\n", json: #"{"a":1,"b":"two"}"#),
        Case(
            yaml: "outer:\n  inner:\n    leaf: x\n  sibling: y\n",
            json: #"{"outer":{"inner":{"leaf":"x"},"sibling":"y"}}"#),
        Case(yaml: "- a\n- b\n", json: #"["a","b"]"#),
        Case(yaml: "key:\n- a\n- b\nnext: 1\n", json: #"{"key":["a","b"],"next":1}"#),
        Case(yaml: "key:\n  - a\n  - b\n", json: #"{"key":["a","b"]}"#),
        Case(yaml: "- name: web\n  port: 80\n- name: db\n", json: #"[{"name":"web","port":80},{"name":"db"}]"#),
        Case(yaml: "- - a\n  - b\n- - c\n", json: #"[["a","b"],["c"]]"#),
        Case(yaml: "-\n  a: 1\n-\n  - x\n", json: #"[{"a":1},["x"]]"#),
        Case(yaml: "-   a: 1\n    b: 2\n", json: #"[{"a":1,"b":2}]"#),
        Case(yaml: "empty:\nalso: ~\n", json: #"{"empty":null,"also":null}"#),
        Case(yaml: "- \n-\n- x\n", json: #"[null,null,"x"]"#),
        Case(
            yaml: "key with spaces: v\n\"quoted key\": 1\n'single': 2\n",
            json: #"{"key with spaces":"v","quoted key":1,"single":2}"#),
        Case(yaml: "url: http://host:8080/x\nhash: a#b\n", json: #"{"url":"http://host:8080/x","hash":"a#b"}"#),
        Case(yaml: "a: 1 # trailing\n# own line\nb: 2   #another\n", json: #"{"a":1,"b":2}"#),
        Case(yaml: "a:    # comment before the value\n  b: 1\n", json: #"{"a":{"b":1}}"#),
        Case(yaml: "a: \"x\"# glued comment\nb: [1]#glued\n", json: #"{"a":"x","b":[1]}"#),
        Case(
            yaml: "text: first line\n  second line\n\n  after blank\nnext: 1\n",
            json: #"{"text":"first line second line\nafter blank","next":1}"#),
        Case(yaml: "- one\n  two\n", json: #"["one two"]"#),
        Case(yaml: "plain\n", json: #""plain""#),
        Case(yaml: "a: 1\r\nb:\r\n  - x\r\n", json: #"{"a":1,"b":["x"]}"#),
        Case(yaml: "\u{FEFF}a: 1\n", json: #"{"a":1}"#),
        Case(yaml: "a:\tb\n", json: #"{"a":"b"}"#),
        Case(yaml: "-: dash key\n?: question key\n", json: #"{"-":"dash key","?":"question key"}"#),
    ]

    @Test(arguments: blockCases) func blockStructure(_ c: Case) {
        #expect(YAMLTestSupport.json(c.yaml) == c.json)
    }

    static let flowCases: [Case] = [
        Case(yaml: "[a, b, c]\n", json: #"["a","b","c"]"#),
        Case(yaml: "{a: 1, b: [x, {c: d}]}\n", json: #"{"a":1,"b":["x",{"c":"d"}]}"#),
        Case(yaml: "a: [1, 2, ]\nb: {x: 1,}\n", json: #"{"a":[1,2],"b":{"x":1}}"#),
        Case(yaml: "a: [\n  1,   # one\n  2\n]\n", json: #"{"a":[1,2]}"#),
        Case(yaml: "a: {\n  x: 1,\n  y: [\n    z\n  ]\n}\n", json: #"{"a":{"x":1,"y":["z"]}}"#),
        Case(yaml: "[[], {}, [[]]]\n", json: #"[[],{},[[]]]"#),
        Case(yaml: "{\"a\":1, 'b':2}\n", json: #"{"a":1,"b":2}"#),
        Case(yaml: "{a, b: , c: d}\n", json: #"{"a":null,"b":null,"c":"d"}"#),
        Case(yaml: "[a: b, c]\n", json: #"[{"a":"b"},"c"]"#),
        Case(yaml: "[multi word plain, a:b, http://x:1/y]\n", json: #"["multi word plain","a:b","http://x:1/y"]"#),
        Case(yaml: "[one\n  two, three]\n", json: #"["one two","three"]"#),
        Case(yaml: "[\"a, b\", 'c]']\n", json: #"["a, b","c]"]"#),
    ]

    @Test(arguments: flowCases) func flowStructure(_ c: Case) {
        #expect(YAMLTestSupport.json(c.yaml) == c.json)
    }

    static let documentCases: [Case] = [
        Case(yaml: "", json: "<empty>"),
        Case(yaml: "# only a comment\n\n", json: "<empty>"),
        Case(yaml: "---\n", json: "<empty>"),
        Case(yaml: "---\n...\n", json: "<empty>"),
        Case(yaml: "--- # comment\n", json: "<empty>"),
        Case(yaml: "---\na: 1\n...\n# trailing comment\n", json: #"{"a":1}"#),
        Case(yaml: "--- text\n", json: #""text""#),
        Case(yaml: "%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\na: 1\n", json: #"{"a":1}"#),
        Case(yaml: "---\n~\n", json: "null"),
    ]

    @Test(arguments: documentCases) func documents(_ c: Case) {
        #expect(YAMLTestSupport.json(c.yaml) == c.json)
    }

    @Test func mappingKeepsSourceOrder() throws {
        let node = try YAMLTestSupport.parse("zeta: 1\nalpha: 2\nmid: 3\n")
        guard case .mapping(let entries) = node.content else {
            Issue.record("expected a mapping")
            return
        }
        #expect(entries.map { YAMLTestSupport.text($0.key) } == ["zeta", "alpha", "mid"])
    }

    @Test func nonStringKeysRenderAsTheirText() {
        #expect(
            YAMLTestSupport.json("1: a\ntrue: b\n~: c\n0x10: d\n[x, y]: e\n")
                == #"{"1":"a","true":"b","~":"c","0x10":"d","[\"x\",\"y\"]":"e"}"#)
    }

    @Test func aliasesCanBeKeys() {
        #expect(YAMLTestSupport.json("k: &name web\n*name : x\n") == #"{"k":"web","web":"x"}"#)
        #expect(YAMLTestSupport.json("k: &name web\n*name: x\n") == #"{"k":"web","web":"x"}"#)
    }
}
