import InitCore
import Testing

/// Spec corners the yaml-test-suite run brought up (YAMLTestSuiteTests), as small documents of this repository
/// so they are checked where the suite's data is absent.
@Suite struct YAMLSpecEdgeTests {
    static let accepted: [YAMLStructureTests.Case] = [
        // Properties on their own line belong to the collection below; on the key's line, to the key.
        .init(
            yaml: "base: &b\n  &k name: web\ncopy: *b\nkey: *k\n",
            json: #"{"base":{"name":"web"},"copy":{"name":"web"},"key":"name"}"#),
        .init(yaml: "a: &x\n  !!map\n  b: 1\nc: *x\n", json: #"{"a":{"b":1},"c":{"b":1}}"#),
        .init(yaml: "a: !!map\n  &x\n  b: 1\nc: *x\n", json: #"{"a":{"b":1},"c":{"b":1}}"#),
        .init(yaml: "y: &y k\nm: &m\n  *y : v\nn: *m\n", json: #"{"y":"k","m":{"k":"v"},"n":{"k":"v"}}"#),
        .init(yaml: "- &e\n  name: x\n- *e\n", json: #"[{"name":"x"},{"name":"x"}]"#),
        // Anchor names may hold ':'; an alias `name:` without such an anchor is still the alias key `name`.
        .init(yaml: "&a: key: &a value\nfoo: *a:\n", json: #"{"key":"value","foo":"key"}"#),
        .init(yaml: "b: &base x\n*base: y\n", json: #"{"b":"x","x":"y"}"#),
        // Tabs separate like spaces after the indentation, before flow nodes and in continuation lines.
        .init(yaml: "\t[a, b]\n", json: #"["a","b"]"#),
        .init(yaml: "key:\n \tvalue\n", json: #"{"key":"value"}"#),
        .init(yaml: "text: one\n \ttwo\n", json: #"{"text":"one two"}"#),
        .init(yaml: "- a\n \tb\n", json: #"["a b"]"#),
        .init(yaml: "-\t-1\n", json: "[-1]"),
        .init(yaml: "a: \"x\n  \ty\"\n", json: #"{"a":"x y"}"#),
        .init(yaml: "a: |\n \tx\n", json: #"{"a":"\tx\n"}"#),
        // A closing bracket may sit at any column.
        .init(yaml: "a: {\n  b: 1\n}\n", json: #"{"a":{"b":1}}"#),
        // A last line of spaces without a line break is an empty line.
        .init(yaml: "a: |+\n  x\n  ", json: #"{"a":"x\n\n"}"#),
        .init(yaml: "a: |+\n  x", json: #"{"a":"x"}"#),
    ]

    @Test(arguments: accepted) func accepts(_ c: YAMLStructureTests.Case) {
        #expect(YAMLTestSupport.json(c.yaml) == c.json)
    }

    static let rejected: [YAMLErrorTests.Case] = [
        .init(yaml: "&a - x\n", error: "test.yml:1:1: a block sequence cannot start on the line of its anchor or tag"),
        .init(yaml: "a: &x\n  &y\n  b: 1\n", error: "test.yml:2:3: a node can have only one anchor"),
        .init(yaml: "y: &y 1\nm: &m\n  *y\n", error: "test.yml:3:3: an alias cannot have an anchor or a tag"),
        .init(
            yaml: "key:\n \t- a\n",
            error: "test.yml:2:2: tab characters must not be used for indentation; indent with spaces"),
        .init(
            yaml: "key:\n \tb: 1\n",
            error: "test.yml:2:2: tab characters must not be used for indentation; indent with spaces"),
        .init(
            yaml: "-\t- a\n", error: "test.yml:1:2: tab characters must not be used for indentation; indent with spaces"
        ),
        .init(
            yaml: "a: |\n  x\n\t\nb: 1\n",
            error: "test.yml:3:1: tab characters must not be used for indentation; indent with spaces"),
        // Badly indented lines inside flow nodes and glued comments are warnings (YAMLLenienceTests).
        .init(
            yaml: "- [a\n  : b]\n",
            error: "test.yml:1:4: the key of a single-pair mapping in a flow sequence must be on one line with its ':'"),
        .init(yaml: "- !!str, x\n", error: "test.yml:1:8: invalid character ',' in tag"),
        // An unclosed quote or bracket is reported as that, not as the badly indented lines it runs into.
        .init(
            yaml: "a: [1, 2\nb: 3\n",
            error: "test.yml:1:4: unterminated flow sequence: expected ']' before end of input"),
    ]

    @Test(arguments: rejected) func rejects(_ c: YAMLErrorTests.Case) {
        #expect(YAMLTestSupport.failure(c.yaml) == c.error)
    }
}
