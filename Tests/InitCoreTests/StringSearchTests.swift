import Testing

@testable import InitCore

/// InitCore's own substring search, used because Embedded Swift has no _StringProcessing, must agree with the
/// stdlib's `contains(_:)` and `replacing(_:with:)` that the normal build would otherwise use.
@Suite struct StringSearchTests {
    static let cases: [(text: String, pattern: String)] = [
        ("logs/{PC_REPLICA_NUM}/out.log", "{PC_REPLICA_NUM}"),
        ("{PC_REPLICA_NUM}-{PC_REPLICA_NUM}", "{PC_REPLICA_NUM}"),
        ("echo $(date)", "$("),
        ("echo $date", "$("),
        ("aaaa", "aa"),
        ("abc", ""),
        ("", "a"),
        ("", ""),
        ("ab", "abc"),
        // Character-wise: "e" followed by a combining accent is one Character, so "e" alone does not occur.
        ("caf\u{65}\u{301}", "e"),
        ("caf\u{65}\u{301}", "\u{e9}"),
    ]

    @Test(arguments: cases)
    func containsAgreesWithStdlib(_ example: (text: String, pattern: String)) {
        #expect(example.text.containsText(example.pattern) == example.text.contains(example.pattern))
    }

    @Test(arguments: cases)
    func replacingAgreesWithStdlib(_ example: (text: String, pattern: String)) {
        #expect(
            example.text.replacingText(example.pattern, with: "7") == example.text.replacing(example.pattern, with: "7")
        )
    }

    @Test func dictionaryFromPairsCombinesDuplicateKeys() {
        let pairs = [("a", 1), ("b", 2), ("a", 3)]
        #expect(Dictionary(pairs: pairs, uniquingKeysWith: { first, _ in first }) == ["a": 1, "b": 2])
        #expect(Dictionary(pairs: pairs, uniquingKeysWith: { _, last in last }) == ["a": 3, "b": 2])
        #expect(Dictionary(pairs: pairs, uniquingKeysWith: +) == ["a": 4, "b": 2])
    }
}
