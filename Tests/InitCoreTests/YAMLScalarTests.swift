import InitCore
import Testing

/// Quoted, plain and block scalars, and their core-schema resolution.
@Suite struct YAMLScalarTests {
    /// The value of `v` in a one-key document.
    static func value(_ yaml: String) throws -> YAMLNode {
        let root = try YAMLTestSupport.parse(yaml)
        guard case .mapping(let entries) = root.content, let first = entries.first else {
            throw YAMLError(file: "test.yml", location: root.location, message: "not a mapping")
        }
        return first.value
    }

    static func text(_ yaml: String) throws -> String {
        YAMLTestSupport.text(try value(yaml))
    }

    @Test func doubleQuotedEscapes() throws {
        #expect(try Self.text(#"v: "a\nb\tc\"d\\e\/f""#) == "a\nb\tc\"d\\e/f")
        #expect(try Self.text(#"v: "\0\a\b\e\f\r\v""#) == "\u{0}\u{7}\u{8}\u{1B}\u{C}\r\u{B}")
        #expect(try Self.text(#"v: "\x41\u00e9\U0001F600""#) == "A\u{e9}\u{1F600}")
        #expect(try Self.text(#"v: "\ \N\_\L\P""#) == " \u{85}\u{A0}\u{2028}\u{2029}")
        #expect(try Self.text("v: \"tab\\\there\"") == "tab\there")
    }

    @Test func doubleQuotedLineFolding() throws {
        #expect(try Self.text("v: \"one\n  two\"") == "one two")
        #expect(try Self.text("v: \"one  \n\n  two\"") == "one\ntwo")
        #expect(try Self.text("v: \"one\\\n  two\"") == "onetwo")
        #expect(try Self.text("v: \"one\\n\\\n  two\"") == "one\ntwo")
        #expect(try Self.text("v: \"keep\\t\n two\"") == "keep\t two")
    }

    @Test func singleQuoted() throws {
        #expect(try Self.text("v: 'it''s'") == "it's")
        #expect(try Self.text(#"v: 'no \n escapes'"#) == #"no \n escapes"#)
        #expect(try Self.text("v: 'a\n  b\n\n  c'") == "a b\nc")
        #expect(try Self.text("v: ''") == "")
    }

    @Test func plainScalars() throws {
        #expect(try Self.text("v: a b  c") == "a b  c")
        #expect(try Self.text("v: trailing   # comment") == "trailing")
        #expect(try Self.text("v: -x") == "-x")
        #expect(try Self.text("v: ::a") == "::a")
        #expect(try Self.text("v: a\n  b\n  # comment ends it\n") == "a b")
    }

    @Test func literalBlockScalars() throws {
        #expect(try Self.text("v: |\n  a\n   b\n\n  c\n") == "a\n b\n\nc\n")
        #expect(try Self.text("v: |-\n  a\n\n") == "a")
        #expect(try Self.text("v: |+\n  a\n\n\nnext: 1\n") == "a\n\n\n")
        #expect(try Self.text("v: |\n  a\n\n\n") == "a\n")
        #expect(try Self.text("v: |  # header comment\n  a\n") == "a\n")
        #expect(try Self.text("v: |2\n    indented\n  base\n") == "  indented\nbase\n")
        #expect(try Self.text("v: |-2\n   x\n") == " x")
        #expect(try Self.text("v: |2-\n   x\n") == " x")
        #expect(try Self.text("v: |\nnext: 1\n") == "")
        #expect(try Self.text("v: |\n  # not a comment\n  x\n") == "# not a comment\nx\n")
        #expect(try Self.text("v: |\n  last") == "last")
    }

    @Test func foldedBlockScalars() throws {
        #expect(try Self.text("v: >\n  one\n  two\n\n  three\n") == "one two\nthree\n")
        #expect(try Self.text("v: >\n  a\n    indented\n  b\n") == "a\n  indented\nb\n")
        #expect(try Self.text("v: >-\n  a\n  b\n") == "a b")
        #expect(try Self.text("v: >+\n  a\n\n") == "a\n\n")
    }

    @Test func blockScalarInsideSequence() {
        #expect(YAMLTestSupport.json("- |\n  x\n- >-\n  y\n  z\n- w\n") == #"["x\n","y z","w"]"#)
    }

    @Test func scalarStylesAreRecorded() throws {
        let root = try YAMLTestSupport.parse("a: x\nb: 'x'\nc: \"x\"\nd: |\n  x\ne: >\n  x\n")
        guard case .mapping(let entries) = root.content else {
            Issue.record("expected a mapping")
            return
        }
        let styles: [ScalarStyle] = entries.compactMap {
            if case .scalar(_, let style) = $0.value.content { return style }
            return nil
        }
        #expect(styles == [.plain, .singleQuoted, .doubleQuoted, .literal, .folded])
    }

    struct Resolution: CustomTestStringConvertible, Sendable {
        var yaml: String
        var scalar: CoreScalar
        var testDescription: String { yaml }
    }

    static let resolutions: [Resolution] = [
        Resolution(yaml: "v:", scalar: .null),
        Resolution(yaml: "v: ~", scalar: .null),
        Resolution(yaml: "v: null", scalar: .null),
        Resolution(yaml: "v: Null", scalar: .null),
        Resolution(yaml: "v: NULL", scalar: .null),
        Resolution(yaml: "v: nULL", scalar: .string("nULL")),
        Resolution(yaml: "v: true", scalar: .bool(true)),
        Resolution(yaml: "v: True", scalar: .bool(true)),
        Resolution(yaml: "v: TRUE", scalar: .bool(true)),
        Resolution(yaml: "v: false", scalar: .bool(false)),
        Resolution(yaml: "v: False", scalar: .bool(false)),
        Resolution(yaml: "v: FALSE", scalar: .bool(false)),
        Resolution(yaml: "v: yes", scalar: .string("yes")),
        Resolution(yaml: "v: no", scalar: .string("no")),
        Resolution(yaml: "v: on", scalar: .string("on")),
        Resolution(yaml: "v: off", scalar: .string("off")),
        Resolution(yaml: "v: y", scalar: .string("y")),
        Resolution(yaml: "v: n", scalar: .string("n")),
        Resolution(yaml: "v: 0", scalar: .int(0)),
        Resolution(yaml: "v: -17", scalar: .int(-17)),
        Resolution(yaml: "v: +42", scalar: .int(42)),
        Resolution(yaml: "v: 0o17", scalar: .int(15)),
        Resolution(yaml: "v: 0x1F", scalar: .int(31)),
        Resolution(yaml: "v: 0xff", scalar: .int(255)),
        Resolution(yaml: "v: 9223372036854775807", scalar: .int(Int64.max)),
        Resolution(yaml: "v: 0x", scalar: .string("0x")),
        Resolution(yaml: "v: 0o8", scalar: .string("0o8")),
        Resolution(yaml: "v: 1_000", scalar: .string("1_000")),
        Resolution(yaml: "v: 1.5", scalar: .float(1.5)),
        Resolution(yaml: "v: -0.25", scalar: .float(-0.25)),
        Resolution(yaml: "v: .5", scalar: .float(0.5)),
        Resolution(yaml: "v: 1.", scalar: .float(1)),
        Resolution(yaml: "v: 1e3", scalar: .float(1000)),
        Resolution(yaml: "v: 2.5E-1", scalar: .float(0.25)),
        Resolution(yaml: "v: .inf", scalar: .float(.infinity)),
        Resolution(yaml: "v: -.Inf", scalar: .float(-.infinity)),
        Resolution(yaml: "v: +.INF", scalar: .float(.infinity)),
        Resolution(yaml: "v: 1e", scalar: .string("1e")),
        Resolution(yaml: "v: .", scalar: .string(".")),
        Resolution(yaml: "v: 12:30", scalar: .string("12:30")),
        Resolution(yaml: "v: '123'", scalar: .string("123")),
        Resolution(yaml: "v: \"true\"", scalar: .string("true")),
        Resolution(yaml: "v: |\n  42\n", scalar: .string("42\n")),
        Resolution(yaml: "v: !!str 123", scalar: .string("123")),
        Resolution(yaml: "v: !!str", scalar: .string("")),
        Resolution(yaml: "v: !!int '7'", scalar: .int(7)),
        Resolution(yaml: "v: !!float 3", scalar: .float(3)),
        Resolution(yaml: "v: !!bool \"false\"", scalar: .bool(false)),
        Resolution(yaml: "v: !!null ''", scalar: .null),
        Resolution(yaml: "v: !<tag:yaml.org,2002:str> 5", scalar: .string("5")),
        Resolution(yaml: "v: ! 5", scalar: .string("5")),
        Resolution(yaml: "v: !local 5", scalar: .int(5)),
    ]

    @Test(arguments: resolutions) func coreSchema(_ r: Resolution) throws {
        #expect(try Self.value(r.yaml).coreScalar == r.scalar)
    }

    @Test func nanResolvesToNaN() throws {
        for spelling in [".nan", ".NaN", ".NAN"] {
            guard case .float(let value) = try Self.value("v: \(spelling)").coreScalar else {
                Issue.record("\(spelling) did not resolve to a float")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test func collectionsHaveNoCoreScalar() throws {
        #expect(try Self.value("v: [1]").coreScalar == nil)
        #expect(try Self.value("v: {a: 1}").coreScalar == nil)
    }

    @Test func tagsAreKept() throws {
        #expect(try Self.value("v: !!str 1").tag == "!!str")
        #expect(try Self.value("v: !custom x").tag == "!custom")
        #expect(try Self.value("v: !<tag:yaml.org,2002:int> 1").tag == "!!int")
        #expect(try Self.value("v: &a !!str 1").tag == "!!str")
        #expect(try Self.value("v: !!seq [1]").tag == "!!seq")
    }

    @Test func jsonRendersFloatsIntsAndStrings() {
        #expect(YAMLTestSupport.json("[1, 1.5, 2.0, '3', x, ~, true]") == #"[1,1.5,2.0,"3","x",null,true]"#)
    }
}
