import Testing

@testable import InitCore

@Suite struct ConfigEnvExpanderTests {
    let env = ["NAME": "world", "EMPTY": "", "PORT": "8080"]

    func expand(_ text: String) throws(EnvExpansionError) -> String {
        try EnvExpander.expand(text) { env[$0] }
    }

    @Test func bracedVariableIsReplaced() throws {
        #expect(try expand("hello ${NAME}!") == "hello world!")
    }

    @Test func undefinedVariableBecomesEmpty() throws {
        #expect(try expand("a${MISSING}b") == "ab")
    }

    @Test func colonDashDefaultAppliesToUnsetAndEmpty() throws {
        #expect(try expand("${MISSING:-x} ${EMPTY:-y} ${NAME:-z}") == "x y world")
    }

    @Test func dashDefaultAppliesToUnsetOnly() throws {
        #expect(try expand("[${MISSING-x}] [${EMPTY-y}]") == "[x] []")
    }

    @Test func defaultMayItselfReferToAVariable() throws {
        #expect(try expand("${MISSING:-${PORT}}") == "8080")
    }

    @Test func doubleDollarIsALiteralDollarAndStopsExpansion() throws {
        #expect(try expand("echo $$HOME $${NAME} cost 5$$") == "echo $HOME ${NAME} cost 5$")
    }

    @Test func bareDollarVariableIsLeftForTheShell() throws {
        #expect(try expand("echo $NAME $1 $") == "echo $NAME $1 $")
    }

    @Test func unterminatedBraceReportsLineAndColumnOfTheDollar() {
        #expect(
            throws: EnvExpansionError(
                location: SourceLocation(line: 2, column: 6), message: "unterminated '${' (no closing '}' on this line)"
            )
        ) {
            try expand("a: 1\nb: x ${NAME\nc: 2")
        }
    }

    @Test func unsupportedOperatorIsNamed() {
        #expect(
            throws: EnvExpansionError(
                location: SourceLocation(line: 1, column: 4),
                message:
                    "unsupported substitution '${NAME:?required}': pcinit supports ${VAR}, ${VAR:-default} and ${VAR-default}"
            )
        ) {
            try expand("x: ${NAME:?required}")
        }
    }

    @Test func emptyNameIsABadSubstitution() {
        #expect(throws: EnvExpansionError.self) { try expand("${}") }
        #expect(throws: EnvExpansionError.self) { try expand("${1A}") }
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(
            throws: EnvExpansionError(
                location: SourceLocation(line: 1, column: 5), message: "unterminated '${' (no closing '}' on this line)"
            )
        ) {
            try expand("é ü ${X")
        }
    }

    @Test func referencesMayNotBuildMoreThanTheLimit() throws {
        let big = String(repeating: "x", count: 1 << 20)
        // 16 copies of 1 MiB are the limit; the 17th reference is the error, at its own `${`.
        let lines = (1...20).map { _ in "v: ${BIG}" }.joined(separator: "\n")
        #expect(
            throws: EnvExpansionError(
                location: SourceLocation(line: 17, column: 4),
                message: "references expand to more than 16 MiB in this file (each ${...} copies its value again)")
        ) {
            try EnvExpander.expand(lines) { $0 == "BIG" ? big : nil }
        }
        let sixteen = (1...16).map { _ in "${BIG}" }.joined(separator: "\n")
        #expect(try EnvExpander.expand(sixteen) { $0 == "BIG" ? big : nil }.utf8.count == 16 << 20 + 15)
    }

    @Test func textWithoutDollarIsReturnedUnchanged() throws {
        #expect(try expand("processes: {}\n") == "processes: {}\n")
    }
}
