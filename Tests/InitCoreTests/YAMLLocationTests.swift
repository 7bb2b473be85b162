import InitCore
import Testing

/// Every node carries the 1-based line:column of its first content character.
@Suite struct YAMLLocationTests {
    /// Follows a path of mapping keys and sequence indexes.
    static func node(_ root: YAMLNode, _ path: [String]) -> YAMLNode? {
        var current = root
        for step in path {
            switch current.content {
            case .mapping(let entries):
                guard let entry = entries.first(where: { YAMLTestSupport.text($0.key) == step }) else { return nil }
                current = entry.value
            case .sequence(let items):
                guard let index = Int(step), items.indices.contains(index) else { return nil }
                current = items[index]
            case .scalar:
                return nil
            }
        }
        return current
    }

    static let document = """
        # header
        processes:
          web:
            command: "run --port 80"
            env:
              - A=1
              - {B: 2}
            script: |
              echo hi
            tags: [x, &t y, *t]
            empty:
            anchored: &a value
        """

    @Test(arguments: [
        ([], 2, 1),
        (["processes"], 3, 3),
        (["processes", "web"], 4, 5),
        (["processes", "web", "command"], 4, 14),
        (["processes", "web", "env"], 6, 7),
        (["processes", "web", "env", "0"], 6, 9),
        (["processes", "web", "env", "1"], 7, 9),
        (["processes", "web", "env", "1", "B"], 7, 13),
        (["processes", "web", "script"], 8, 13),
        (["processes", "web", "tags"], 10, 11),
        (["processes", "web", "tags", "1"], 10, 18),
        (["processes", "web", "tags", "2"], 10, 21),
        (["processes", "web", "empty"], 11, 11),
        (["processes", "web", "anchored"], 12, 18),
    ])
    func nodeLocations(path: [String], line: Int, column: Int) throws {
        let root = try YAMLTestSupport.parse(Self.document)
        let found = Self.node(root, path)
        #expect(found?.location == SourceLocation(line: line, column: column))
    }

    @Test func keyLocations() throws {
        let root = try YAMLTestSupport.parse("first: 1\n  # comment\nsecond:\n  inner: 2\n")
        guard case .mapping(let entries) = root.content else {
            Issue.record("expected a mapping")
            return
        }
        #expect(
            entries.map(\.key.location) == [SourceLocation(line: 1, column: 1), SourceLocation(line: 3, column: 1)])
    }

    @Test func columnsCountUnicodeScalars() throws {
        let root = try YAMLTestSupport.parse("\"日本\": [é, x]\n")
        #expect(Self.node(root, ["日本", "1"])?.location == SourceLocation(line: 1, column: 11))
    }

    @Test func crlfLinesCountOnce() throws {
        let root = try YAMLTestSupport.parse("a: 1\r\nb: 2\r\n")
        #expect(Self.node(root, ["b"])?.location == SourceLocation(line: 2, column: 4))
    }

    @Test func errorDescriptionFormat() {
        let error = YAMLError(file: "pc.yml", location: SourceLocation(line: 12, column: 5), message: "boom")
        #expect(error.description == "pc.yml:12:5: boom")
    }
}
