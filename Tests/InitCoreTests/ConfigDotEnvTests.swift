import Testing

@testable import InitCore

@Suite(.timeLimit(.minutes(1))) struct ConfigDotEnvTests {
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

    /// `A=x` then `A=$A$A` lines double A on every line (the fuzzer's out-of-memory input had 32 of them, 4 GiB):
    /// a reference may not make a value longer than 1 MiB, and the line that would is reported, not cut short.
    @Test func referencesCannotMakeAValueLongerThanOneMebibyte() {
        let text = "A=x\n" + String(repeating: "A=$A$A\n", count: 24)
        let parsed = DotEnvParser.parse(text)
        // Line 21 is the 20th doubling: 2^20 bytes, exactly the limit. Lines 22-25 would pass it.
        #expect(parsed.variables.count == 1)
        #expect(parsed.variables.first?.1 == String(repeating: "x", count: 1 << 20))
        let tooLong = "the value of 'A' would be longer than 1 MiB (1048576 bytes) with its references expanded"
        #expect(
            parsed.problems == (22...25).map { DotEnvProblem(line: $0, message: tooLong, isExpansionLimit: true) })
        // The whole fuzzer input: done in a few MiB of copying, not 4 GiB.
        let repro = DotEnvParser.parse("A=x\n" + String(repeating: "A=$A$A\n", count: 32))
        #expect(repro.problems.map(\.line) == Array(22...33))
        #expect(repro.variables.first?.1.utf8.count == 1 << 20)
        // Text after the last reference counts as well (the fuzzer's second input: invalid UTF-8 after `$A$A`).
        let trailing = DotEnvParser.parse("A=x\n" + String(repeating: "A=$A$A\n", count: 19) + "A=$A$A\u{FFFD}\n")
        #expect(trailing.problems == [DotEnvProblem(line: 21, message: tooLong, isExpansionLimit: true)])
        #expect(trailing.variables.first?.1.utf8.count == 1 << 19)
    }

    /// A value within the limit is not enough: each line `Bn=$A` copies 1 MiB, so the references of one file may
    /// copy 16 MiB in all (replaced values count, they were copied too).
    @Test func theReferencesOfAFileCopyAtMostSixteenMebibytesInAll() {
        // The 20 doublings copy 2 + 4 + … + 2^20 bytes = 2 MiB - 2; fourteen 1 MiB copies fit in the rest.
        var text = "A=x\n" + String(repeating: "A=$A$A\n", count: 20)
        for n in 1...16 { text += "B\(n)=$A\n" }
        text += "C=${NOPE}\nD='$A'\nE=still fine\n"
        let parsed = DotEnvParser.parse(text, lookup: { $0 == "NOPE" ? "" : nil })
        let inAll = "the references in this file would expand to more than 16 MiB (16777216 bytes) in all"
        #expect(
            parsed.problems == [
                DotEnvProblem(line: 36, message: inAll, isExpansionLimit: true),
                DotEnvProblem(line: 37, message: inAll, isExpansionLimit: true),
            ])
        #expect(parsed.variables.map(\.0) == ["A"] + (1...14).map { "B\($0)" } + ["C", "D", "E"])
        #expect(parsed.variables.allSatisfy { $0.0.hasPrefix("B") ? $0.1.utf8.count == 1 << 20 : true })
        #expect(parsed.variables.suffix(3).map(\.1) == ["", "$A", "still fine"])
    }

    /// The limits are parameters (the fuzzer uses small ones): each value, and the file's references in all.
    @Test func smallerLimitsWorkTheSameWay() {
        let text = "A=abcd\nB=$A$A\nC=$A$A$A\nD='$A$A$A'\nE=${A}$A\nF=$A\nG=$A\nH=$NOPE\n"
        let parsed = DotEnvParser.parse(text, limits: DotEnvParser.Limits(valueBytes: 8, fileBytes: 20))
        #expect(
            parsed.problems == [
                DotEnvProblem(
                    line: 3, message: "the value of 'C' would be longer than 8 bytes with its references expanded",
                    isExpansionLimit: true),
                DotEnvProblem(
                    line: 7, message: "the references in this file would expand to more than 20 bytes in all",
                    isExpansionLimit: true),
            ])
        #expect(
            parsed.variables.map { "\($0.0)=\($0.1)" } == [
                "A=abcd", "B=abcdabcd", "D=$A$A$A", "E=abcdabcd", "F=abcd", "H=",
            ])
        let kib = DotEnvParser.parse(
            "A=$B", lookup: { _ in String(repeating: "x", count: 3000) }, limits: .init(valueBytes: 2048))
        #expect(
            kib.problems.map(\.message) == [
                "the value of 'A' would be longer than 2 KiB (2048 bytes) with its references expanded"
            ])
    }

    /// What the user sees: the file, the line and that the line is ignored, as for any other bad line.
    @Test func anOversizedExpansionIsReportedAtItsLineInTheFile() {
        let env = "A=x\n" + String(repeating: "A=$A$A\n", count: 21) + "B=ok\n"
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    env_file: a.env\n", files: ["/app/a.env": env])
        #expect(
            result.messages == [
                "/app/a.env:22:1: warning: the value of 'A' would be longer than 1 MiB (1048576 bytes) with its "
                    + "references expanded; line ignored"
            ])
        let variables = result.service("a")?.environment.aboveInherited ?? []
        #expect(variables.map { "\($0.0)=\($0.1.utf8.count)" } == ["A=\(1 << 20)", "B=2"])
    }

    /// A quoted value continues over lines; an escape at a line end escapes only the line end.
    @Test func aQuotedValueMaySpanManyLines() {
        #expect(variables("A=\"one\\\ntwo\\\"\nthree\"\nB='x\n\ny'") == ["A=one\\\ntwo\"\nthree", "B=x\n\ny"])
    }

    /// An unclosed quote followed by many lines: each line is searched once, not the whole value again per line
    /// (that was quadratic: a 64 KB file took minutes).
    @Test func anUnclosedQuoteBeforeManyLinesIsFoundQuickly() {
        let parsed = DotEnvParser.parse("A=\"" + String(repeating: "x\n", count: 200_000))
        #expect(parsed.variables.isEmpty)
        #expect(parsed.problems == [DotEnvProblem(line: 1, message: "unterminated \" quote")])
    }
}
