import InitCore
import Testing

/// What YAML 1.2 forbids but libyaml (and so go-yaml, process-compose's YAML library) accepts: the reader loads it
/// to libyaml's value and warns, the config loader passes the warning on, and `is_strict: true` makes it an error.
@Suite(.onDedicatedThread) struct YAMLLenienceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        /// The value libyaml gives (checked against PyYAML's libyaml binding in `valuesAreLibyamls`).
        var json: String
        /// `file:line:col: warning: ...` of the one warning expected.
        var warning: String
        var testDescription: String { yaml.debugDescription }
    }

    static let accepted = "accepted, as process-compose's YAML library does"

    static func indentation(_ what: String, past owner: String, wants: Int, found: Int, tab: Bool = false) -> String {
        "this line of a \(what) is not indented past its \(owner) (YAML 1.2 requires at least \(wants) "
            + "space\(wants == 1 ? "" : "s") of indentation here, found \(found)\(tab ? " (a tab is not indentation)" : "")"
            + "; \(accepted))"
    }

    static func glued(to byte: String) -> String {
        "a comment is glued to the '\(byte)' before it (YAML 1.2 requires a blank before the '#' of a comment; "
            + "\(accepted))"
    }

    static let cases: [Case] = [
        // Lines inside a flow collection or a quoted scalar not indented past the enclosing block node
        // (yaml-test-suite 9C9N, QB6E, DK95/01, Y79Y/003, VJP3/00).
        Case(
            yaml: "a: [1,\nb]\n", json: #"{"a":[1,"b"]}"#,
            warning: "test.yml:2:1: warning: " + indentation("flow sequence", past: "key", wants: 1, found: 0)),
        Case(
            yaml: "a: {x: 1,\ny: 2}\n", json: #"{"a":{"x":1,"y":2}}"#,
            warning: "test.yml:2:1: warning: " + indentation("flow mapping", past: "key", wants: 1, found: 0)),
        Case(
            yaml: "- a: \"x\n  y\"\n", json: #"[{"a":"x y"}]"#,
            warning: "test.yml:2:3: warning: " + indentation("double-quoted scalar", past: "key", wants: 3, found: 2)),
        Case(
            yaml: "a: 'x\ny'\n", json: #"{"a":"x y"}"#,
            warning: "test.yml:2:1: warning: " + indentation("single-quoted scalar", past: "key", wants: 1, found: 0)),
        Case(
            yaml: "- [a,\nb]\n", json: #"[["a","b"]]"#,
            warning: "test.yml:2:1: warning: " + indentation("flow sequence", past: "'-'", wants: 1, found: 0)),
        // A plain scalar inside the collection goes on over the line, as libyaml has it.
        Case(
            yaml: "a: [b\nc]\n", json: #"{"a":["b c"]}"#,
            warning: "test.yml:2:1: warning: " + indentation("flow sequence", past: "key", wants: 1, found: 0)),
        Case(
            yaml: "foo: \"bar\n\tbaz\"\n", json: #"{"foo":"bar baz"}"#,
            warning: "test.yml:2:2: warning: "
                + indentation("double-quoted scalar", past: "key", wants: 1, found: 0, tab: true)),
        // One warning per flow node, at its first such line.
        Case(
            yaml: "a:\n  b: [1,\n  2,\n3]\nc: 4\n", json: #"{"a":{"b":[1,2,3]},"c":4}"#,
            warning: "test.yml:3:3: warning: " + indentation("flow sequence", past: "key", wants: 3, found: 2)),
        // A comment glued to the token before it (yaml-test-suite CVW2, 9JBA, SU5Z, X4QW).
        Case(yaml: "a: [b,#c\n  ]\n", json: #"{"a":["b"]}"#, warning: "test.yml:1:7: warning: " + glued(to: ",")),
        Case(yaml: "a: [#c\n  b]\n", json: #"{"a":["b"]}"#, warning: "test.yml:1:5: warning: " + glued(to: "[")),
        Case(
            yaml: "a: {\"x\":#c\n  }\n", json: #"{"a":{"x":null}}"#,
            warning: "test.yml:1:9: warning: " + glued(to: ":")),
        Case(yaml: "a: [b]#c\n", json: #"{"a":["b"]}"#, warning: "test.yml:1:7: warning: " + glued(to: "]")),
        Case(yaml: "a: {b: 1}#c\n", json: #"{"a":{"b":1}}"#, warning: "test.yml:1:10: warning: " + glued(to: "}")),
        Case(yaml: "a: [[b]#c\n  ]\n", json: #"{"a":[["b"]]}"#, warning: "test.yml:1:8: warning: " + glued(to: "]")),
        Case(yaml: "a: \"v\"#c\n", json: #"{"a":"v"}"#, warning: "test.yml:1:7: warning: " + glued(to: "\"")),
        Case(yaml: "a: 'v'#c\n", json: #"{"a":"v"}"#, warning: "test.yml:1:7: warning: " + glued(to: "'")),
        Case(yaml: "a: |#c\n  x\n", json: #"{"a":"x\n"}"#, warning: "test.yml:1:5: warning: " + glued(to: "|")),
        Case(yaml: "a: >-#c\n  x\n", json: #"{"a":"x"}"#, warning: "test.yml:1:6: warning: " + glued(to: "-")),
    ]

    static func read(_ yaml: String) -> (json: String, warnings: [String]) {
        var warnings: [YAMLWarning] = []
        do {
            let node = try YAMLReader.parse(yaml, file: "test.yml", warnings: &warnings)
            return (node?.jsonValue.rendered() ?? "<empty>", warnings.map(\.description))
        } catch {
            return ("error: \(error)", warnings.map(\.description))
        }
    }

    @Test(arguments: cases) func acceptsWithAWarning(_ c: Case) {
        let (json, warnings) = Self.read(c.yaml)
        #expect(json == c.json)
        #expect(warnings == [c.warning])
    }

    @Test func valuesAreLibyamls() throws {
        guard let libyaml = try YAMLPythonOracle.load(Self.cases.map(\.yaml), libyaml: true) else { return }
        for (c, outcome) in zip(Self.cases, libyaml) {
            guard case .json(let expected) = outcome else {
                Issue.record("libyaml rejects \(c.yaml.debugDescription): \(outcome)")
                continue
            }
            #expect(
                YAMLPythonOracle.sameJSON(c.json, expected), "libyaml loads \(c.yaml.debugDescription) as \(expected)")
        }
    }

    /// The YAML 1.2 spellings of the same documents load without a warning.
    static let standard: [YAMLStructureTests.Case] = [
        .init(yaml: "a: [1,\n  b]\n", json: #"{"a":[1,"b"]}"#),
        .init(yaml: "- a: \"x\n   y\"\n", json: #"[{"a":"x y"}]"#),
        .init(yaml: "- [a,\n  b]\n", json: #"[["a","b"]]"#),
        .init(yaml: "[a,\nb]\n", json: #"["a","b"]"#),
        .init(yaml: "a: {\n  b: 1\n}\n", json: #"{"a":{"b":1}}"#),
        .init(yaml: "a: [b, #c\n  ]\n", json: #"{"a":["b"]}"#),
        .init(yaml: "a: [b] #c\n", json: #"{"a":["b"]}"#),
        .init(yaml: "a: \"v\" #c\n", json: #"{"a":"v"}"#),
        .init(yaml: "a: | #c\n  x\n", json: #"{"a":"x\n"}"#),
        .init(yaml: "a: b#c\n", json: #"{"a":"b#c"}"#),
        .init(yaml: "a: [b#c]\n", json: #"{"a":["b#c"]}"#),
        .init(yaml: "#c\na: 1 #d\n", json: #"{"a":1}"#),
    ]

    @Test(arguments: standard) func standardSpellingHasNoWarning(_ c: YAMLStructureTests.Case) {
        let (json, warnings) = Self.read(c.yaml)
        #expect(json == c.json)
        #expect(warnings.isEmpty)
    }

    /// An error still wins: the warnings of a document that fails are not reported.
    @Test func anErrorDropsTheWarnings() {
        let (json, warnings) = Self.read("a: [1, 2\nb: 3\n")
        #expect(json == "error: test.yml:1:4: unterminated flow sequence: expected ']' before end of input")
        #expect(warnings.isEmpty)
        #expect(Self.read("a: [b]#c\nc: [d\n").warnings.isEmpty)
    }

    // The config loader.

    static let config = "processes:\n  web:\n    command: [sh,\n    -c, x]\n"
    static let problem = "this line of a flow sequence is not indented past its key"
    static let rule = "YAML 1.2 requires at least 5 spaces of indentation here, found 4"

    @Test func theLoaderPassesTheWarningOn() throws {
        let result = loadConfig(Self.config)
        #expect(
            result.messages == ["process-compose.yml:4:5: warning: \(Self.problem) (\(Self.rule); \(Self.accepted))"])
        #expect(result.service("web")?.command == .exec(["sh", "-c", "x"]))
    }

    @Test func isStrictMakesItAnError() {
        let result = loadConfig("is_strict: true\n" + Self.config + "    bad: [1]#c\n")
        #expect(result.config == nil)
        #expect(
            result.messages == [
                "process-compose.yml:5:5: error: \(Self.problem) (\(Self.rule); an error under is_strict, although "
                    + "process-compose's YAML library accepts it)",
                "process-compose.yml:6:5: error: processes.web: unknown key 'bad'",
                "process-compose.yml:6:13: error: a comment is glued to the ']' before it (YAML 1.2 requires a blank "
                    + "before the '#' of a comment; an error under is_strict, although process-compose's YAML library "
                    + "accepts it)",
            ])
    }

    /// is_strict in an override file applies to the warnings of the file it overrides too.
    @Test func isStrictFromAnotherFileMakesItAnError() {
        let harness = ConfigTestHarness(Self.config, files: ["/app/strict.yml": "is_strict: true\n"])
        let result = harness.load(["process-compose.yml", "strict.yml"])
        #expect(result.config == nil)
        #expect(
            result.errors.map(\.description) == [
                "process-compose.yml:4:5: \(Self.problem) (\(Self.rule); an error under is_strict, although process-compose's YAML library accepts it)"
            ])
        let lenient = ConfigTestHarness(Self.config, files: ["/app/other.yml": "is_strict: false\n"])
        #expect(lenient.load(["process-compose.yml", "other.yml"]).warnings.count == 1)
    }
}
