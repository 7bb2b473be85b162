import Testing

@testable import InitCore

@Suite(.timeLimit(.minutes(1))) struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func scalarsAndContainersWithSurroundingWhitespace() throws {
        #expect(try parse(" null ") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("\tfalse\r\n") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
        #expect(
            try parse(#"{"a": [1, {"b": null}], "c" : "d"}"#)
                == .object([("a", .array([.int(1), .object([("b", .null)])])), ("c", .string("d"))]))
    }

    @Test func objectsKeepKeyOrderAndTheLastDuplicateWins() throws {
        let value = try parse(#"{"z":1,"a":2,"z":3}"#)
        #expect(value.objectValue?.map(\.0) == ["z", "a", "z"])
        #expect(value["z"] == .int(3))
    }

    @Test func integersBecomeIntAndEverythingElseDouble() throws {
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("42") == .int(42))
        #expect(try parse("-17") == .int(-17))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("1.0") == .double(1))
        #expect(try parse("-2.5e-3") == .double(-0.0025))
        #expect(try parse("1E2") == .double(100))
        #expect(try parse("1e+2") == .double(100))
    }

    @Test func integralDoublesStillReadAsIntegers() throws {
        #expect(try parse("100.0").intValue == 100)
        #expect(try parse("1e2").intValue == 100)
        #expect(try parse("1.5").intValue == nil)
        #expect(try parse("1e300").intValue == nil)
    }

    @Test func simpleEscapes() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
    }

    @Test func unicodeEscapesIncludingSurrogatePairs() throws {
        #expect(try parse(#""\u00e9\u00C9""#) == .string("éÉ"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""a\uD834\uDD1Eb""#) == .string("a𝄞b"))
    }

    @Test func rawUTF8PassesThrough() throws {
        #expect(try parse("\"grüße 😀\"") == .string("grüße 😀"))
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "True", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}", "'x'",
        "01", "-01", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "NaN", "Infinity", "-Infinity", "1e400",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"",
        "\"tab\there\"", "\"new\nline\"", "[1] [2]", "{} x", "// c\n1", "/* c */ 1", "[", "{", "{\"a\":", "[1,",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func errorsPointAtTheOffendingByte() {
        #expect(throws: JSONParseError(offset: 6, message: "expected ',' or ']' in array")) { try parse("[1, 2 3]") }
        #expect(throws: JSONParseError(offset: 2, message: "unexpected text after the JSON value")) { try parse("1 x") }
        let error = #expect(throws: JSONParseError.self) { try parse("[1,]") }
        #expect(error?.description == "invalid JSON at byte 3: unexpected character ']', expected a value")
    }

    @Test func nestingUpToTheDepthCapIsAcceptedAndDeeperIsRefused() throws {
        let cap = JSONParser.maxDepth
        let ok = String(repeating: "[", count: cap) + String(repeating: "]", count: cap)
        #expect(throws: Never.self) { try parse(ok) }
        let deep = String(repeating: "[", count: cap + 1) + String(repeating: "]", count: cap + 1)
        let error = #expect(throws: JSONParseError.self) { try parse(deep) }
        #expect(error?.message == "nesting deeper than 64 levels")
        let objects = String(repeating: "{\"a\":", count: cap + 1) + "1" + String(repeating: "}", count: cap + 1)
        #expect(throws: JSONParseError.self) { try parse(objects) }
        // Hostile depth fails fast instead of exhausting the stack.
        #expect(throws: JSONParseError.self) { try parse(String(repeating: "[", count: 1_000_000)) }
    }

    @Test func renderedValuesParseBackEqual() throws {
        let value = JSONValue.object([
            ("s", .string("quote \" backslash \\ control \u{01} del \u{7F} emoji 😀")),
            ("n", .array([.int(-3), .double(2.5), .null, .bool(true)])),
            ("o", .object([("nested", .object([]))])),
        ])
        #expect(try JSONParser.parse(Array(value.rendered().utf8)) == value)
        #expect(try JSONParser.parse(Array(value.rendered(pretty: true).utf8)) == value)
    }

    @Test func acceptsAnyByteCollection() throws {
        let bytes: ArraySlice<UInt8> = Array("xx[1]".utf8)[2...]
        #expect(try JSONParser.parse(bytes) == .array([.int(1)]))
    }

    @Test func accessorsReturnNilForOtherTypes() throws {
        let value = try parse(#"{"s":"x","i":3,"b":true,"a":["p","q"],"m":[1],"n":null}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.intValue == 3)
        #expect(value["i"]?.doubleValue == 3)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.stringArrayValue == ["p", "q"])
        #expect(value["a"]?[1] == .string("q"))
        #expect(value["a"]?[2] == nil)
        #expect(value["m"]?.stringArrayValue == nil)
        #expect(value["n"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["s"]?.intValue == nil)
        #expect(value["i"]?.stringValue == nil)
        #expect(value["s"]?["x"] == nil)
        #expect(value["a"]?.typeName == "array")
    }
}
