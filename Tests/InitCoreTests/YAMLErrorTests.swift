import InitCore
import Testing

/// Every rejected input names `file:line:col` and what was expected.
@Suite struct YAMLErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        var error: String
        var testDescription: String { yaml.debugDescription }
    }

    static let cases: [Case] = [
        Case(
            yaml: "processes:\n  web:\n    command: - run\n",
            error:
                "process-compose.yml:3:14: expected a mapping value after 'command', found '-' (a block sequence must start on its own line)"
        ),
        Case(
            yaml: "a:\n\tb: 1\n",
            error: "process-compose.yml:2:1: tab characters must not be used for indentation; indent with spaces"),
        Case(
            yaml: "a:\n  b: 1\n  \tc: 2\n",
            error: "process-compose.yml:3:3: tab characters must not be used for indentation; indent with spaces"),
        Case(
            yaml: "name: a\nport: 1\nname: b\n",
            error: "process-compose.yml:3:1: duplicate key 'name' (first defined at line 1)"),
        Case(
            yaml: "env: {A: 1, 'A': 2}\n",
            error: "process-compose.yml:1:13: duplicate key 'A' (first defined at line 1)"),
        Case(
            yaml: "1: a\n0x1: b\n",
            error: "process-compose.yml:2:1: duplicate key '0x1' (first defined at line 1)"),
        Case(
            yaml: "a: *missing\n",
            error: "process-compose.yml:1:4: undefined alias '*missing': no anchor '&missing' appears before it"),
        Case(
            yaml: "a: &loop [1, *loop]\n",
            error:
                "process-compose.yml:1:14: alias '*loop' refers to the node that contains it; recursive aliases are not supported"
        ),
        Case(
            yaml: "a: \"bad \\q escape\"\n",
            error: "process-compose.yml:1:9: invalid escape sequence '\\q' in a double-quoted scalar"),
        Case(
            yaml: "a: \"\\x4G\"\n",
            error: "process-compose.yml:1:5: expected 2 hexadecimal digits after '\\x'"),
        Case(
            yaml: "a: \"\\uD800\"\n",
            error: "process-compose.yml:1:5: escape '\\u' names an invalid Unicode code point"),
        Case(
            yaml: "a: 1\nb: \"open\nc: 3\n",
            error:
                "process-compose.yml:2:4: unterminated double-quoted scalar: expected a closing '\"' before end of input"
        ),
        Case(
            yaml: "a: 'open\n",
            error:
                "process-compose.yml:1:4: unterminated single-quoted scalar: expected a closing \"'\" before end of input"
        ),
        Case(
            yaml: "a: \"open\n---\n",
            error:
                "process-compose.yml:1:4: unterminated double-quoted scalar: found a document marker before the closing quote"
        ),
        Case(
            yaml: "a: [1, 2\nb: 3\n",
            error: "process-compose.yml:1:4: unterminated flow sequence: expected ']' before end of input"),
        Case(
            yaml: "a: {x: 1\n",
            error: "process-compose.yml:1:4: unterminated flow mapping: expected '}' before end of input"),
        Case(
            yaml: "a: [1 2, b c]]\n",
            error: "process-compose.yml:1:14: expected end of line after '[...]', found ']'"),
        Case(
            yaml: "a: {x: 1 y: 2}\n",
            error: "process-compose.yml:1:11: expected ',' or '}' in the flow mapping, found ':'"),
        Case(
            yaml: "a: [1, , 2]\n",
            error: "process-compose.yml:1:8: expected an entry or ']' in the flow sequence, found ','"),
        Case(
            yaml: "a: [|\n  x]\n",
            error: "process-compose.yml:1:5: block scalars ('|', '>') are not allowed inside a flow sequence"),
        Case(
            yaml: "a: b\n  c: d\n",
            error:
                "process-compose.yml:2:3: bad indentation: expected a mapping key at column 1 or a less indented line, found 'c' at column 3"
        ),
        Case(
            yaml: "a:\n  - [x]\n    - y\n  - z\n",
            error:
                "process-compose.yml:3:5: bad indentation: expected a sequence entry '-' at column 3 or a less indented line, found '-' at column 5"
        ),
        Case(
            yaml: "- a\nb: 1\n",
            error: "process-compose.yml:2:1: expected a sequence entry '- ' at column 1, found 'b'"),
        Case(
            yaml: "a: 1\n- b\n",
            error:
                "process-compose.yml:2:1: expected a mapping key, found '-' (a sequence entry cannot follow a mapping entry at the same indentation)"
        ),
        Case(
            yaml: "a: b: c\n",
            error:
                "process-compose.yml:1:4: found mapping key 'b' on the same line as key 'a'; a nested mapping must start on its own line"
        ),
        Case(
            yaml: "a: 1\nb\n",
            error: "process-compose.yml:2:2: expected ':' after mapping key 'b', found end of line"),
        Case(
            yaml: "a: 1\ncommand run\n",
            error: "process-compose.yml:2:12: expected ':' after mapping key 'command run', found end of line"),
        Case(
            yaml: "\"multi\nline\": 1\n",
            error: "process-compose.yml:1:1: a mapping key must be on a single line"),
        Case(
            yaml: "a: \"x\" y\n",
            error: "process-compose.yml:1:8: expected end of line after 'x', found 'y'"),
        Case(
            yaml: "a: 1\n---\nb: 2\n",
            error:
                "process-compose.yml:2:1: a second document starts here; only a single YAML document per file is supported"
        ),
        Case(
            yaml: "a: 1\n...\n---\nb: 2\n",
            error:
                "process-compose.yml:3:1: a second document starts here; only a single YAML document per file is supported"
        ),
        Case(
            yaml: "a: 1\n...\nb: 2\n",
            error:
                "process-compose.yml:3:1: found content after the document end marker '...'; only a single document is supported"
        ),
        Case(
            yaml: "%YAML 1.2\na: 1\n",
            error: "process-compose.yml:2:1: expected '---' after the directives, found 'a'"),
        Case(
            yaml: "? a\n: b\n",
            error: "process-compose.yml:1:1: explicit mapping keys ('? ') are not supported; write 'key: value'"),
        Case(
            yaml: "a: |x\n  t\n",
            error:
                "process-compose.yml:1:5: expected a comment or a line break after the block scalar header, found 'x'"),
        Case(
            yaml: "a: |0\n  t\n",
            error: "process-compose.yml:1:5: the indentation indicator of a block scalar must be 1-9, found '0'"),
        Case(
            yaml: "a: |\n\n    \n  t\n",
            error:
                "process-compose.yml:3:5: a leading empty line of this block scalar has more spaces than its first content line"
        ),
        Case(
            yaml: "<<: 5\n",
            error:
                "process-compose.yml:1:5: merge key '<<' expects a mapping or a list of mappings, found the scalar '5'"),
        Case(
            yaml: "a: &a [1]\nb:\n  <<: [*a]\n",
            error: "process-compose.yml:3:8: merge key '<<' expects a mapping or a list of mappings, found a sequence"),
        Case(
            yaml: "port: !!int eighty\n",
            error: "process-compose.yml:1:7: 'eighty' is not a valid !!int"),
        Case(
            yaml: "a: !!str [1]\n",
            error: "process-compose.yml:1:4: tag !!str cannot be applied to a sequence"),
        Case(
            yaml: "a: &x &y 1\n",
            error: "process-compose.yml:1:7: a node can have only one anchor"),
        Case(
            yaml: "a: &x *y\n",
            error: "process-compose.yml:1:7: an alias cannot have an anchor or a tag"),
        Case(
            yaml: "a: & x\n",
            error: "process-compose.yml:1:4: expected an anchor name after '&'"),
        Case(
            yaml: "a: @x\n",
            error: "process-compose.yml:1:4: unexpected '@'; expected a value"),
        Case(
            yaml: "a: x\u{7}y\n",
            error: "process-compose.yml:1:5: invalid control character U+0007"),
        Case(
            yaml: "\u{FEFF}a: \u{1B}\n",
            error: "process-compose.yml:1:4: invalid control character U+001B"),
        Case(
            yaml: "a: 1\nb: \u{0}\n",
            error: "process-compose.yml:2:4: invalid control character U+0000"),
    ]

    @Test(arguments: cases) func reportsLocationAndExpectation(_ c: Case) {
        #expect(YAMLTestSupport.failure(c.yaml, file: "process-compose.yml") == c.error)
    }

    @Test func errorColumnsCountCharactersNotBytes() {
        #expect(
            YAMLTestSupport.failure("\"é\": *nope\n")
                == "test.yml:1:6: undefined alias '*nope': no anchor '&nope' appears before it")
    }
}
