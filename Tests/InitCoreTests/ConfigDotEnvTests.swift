import Testing

@testable import InitCore

@Suite struct ConfigDotEnvTests {
    func variables(_ text: String, lookup: @escaping (String) -> String? = { _ in nil }) -> [String] {
        DotEnvParser.parse(text, lookup: lookup).variables.map { "\($0.0)=\($0.1)" }
    }

    @Test func plainAssignmentsCommentsAndExport() {
        let text = "# comment\nA=1\n\nexport B=two words  \nC: yaml style\n"
        #expect(variables(text) == ["A=1", "B=two words", "C=yaml style"])
    }

    @Test func inlineCommentNeedsWhitespaceBeforeTheHash() {
        #expect(variables("URL=http://x/#frag # the url\n") == ["URL=http://x/#frag"])
    }

    @Test func singleQuotesAreLiteral() {
        #expect(variables("A='x ${B} \\n # y'") == ["A=x ${B} \\n # y"])
    }

    @Test func doubleQuotesUnescapeAndExpandEarlierKeys() {
        #expect(variables("B=bee\nA=\"line1\\nline2 ${B} $B \\$B\"") == ["B=bee", "A=line1\nline2 bee bee $B"])
    }

    @Test func quotedValueMaySpanLines() {
        #expect(variables("KEY=\"first\nsecond\"\nNEXT=1") == ["KEY=first\nsecond", "NEXT=1"])
    }

    @Test func referencesFallBackToLookup() {
        #expect(variables("A=${HOME}/x", lookup: { $0 == "HOME" ? "/root" : nil }) == ["A=/root/x"])
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() {
        #expect(variables("A=1\nB=2\nA=3") == ["A=3", "B=2"])
    }

    @Test func malformedLinesAreReportedWithTheirNumber() {
        let parsed = DotEnvParser.parse("A=1\nnot a pair\n1BAD=x\nC=\"open")
        #expect(parsed.variables.map(\.0) == ["A"])
        #expect(
            parsed.problems == [
                DotEnvProblem(line: 2, message: "expected KEY=VALUE"),
                DotEnvProblem(line: 3, message: "invalid variable name '1BAD'"),
                DotEnvProblem(line: 4, message: "unterminated \" quote"),
            ])
    }

    @Test func crlfLineEndingsAreAccepted() {
        #expect(variables("A=1\r\nB=2\r\n") == ["A=1", "B=2"])
    }
}
