import Glibc
import InitCore

/// Shared helpers for the YAML reader tests.
enum YAMLTestSupport {
    /// Compact JSON of the parsed document ("<empty>" for an empty document, "error: ..." on failure).
    static func json(_ text: String, file: String = "test.yml") -> String {
        do {
            guard let node = try YAMLReader.parse(text, file: file) else { return "<empty>" }
            return node.jsonValue.rendered()
        } catch {
            return "error: \(error)"
        }
    }

    /// The error's `file:line:col: message`, or a note that parsing succeeded.
    static func failure(_ text: String, file: String = "test.yml") -> String {
        do {
            let node = try YAMLReader.parse(text, file: file)
            return "parsed: " + (node?.jsonValue.rendered() ?? "<empty>")
        } catch {
            return error.description
        }
    }

    static func parse(_ text: String) throws -> YAMLNode {
        guard let node = try YAMLReader.parse(text, file: "test.yml") else {
            throw YAMLError(file: "test.yml", location: SourceLocation(line: 0, column: 0), message: "empty document")
        }
        return node
    }

    /// A scalar node's text ("<collection>" otherwise).
    static func text(_ node: YAMLNode) -> String {
        if case .scalar(let text, _) = node.content { return text }
        return "<collection>"
    }

    /// The CPU time `body` took on the calling thread: the reader's own work, however loaded the machine is
    /// (a wall clock would also count the time other processes ran).
    static func cpuTime(_ body: () throws -> Void) rethrows -> Duration {
        func now() -> Duration {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
        }
        let start = now()
        try body()
        return now() - start
    }

    /// The corpus directory, found from this file's path (it is outside any target).
    static var corpusDirectory: String {
        let thisFile = #filePath
        let testsDirectory = thisFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
            .joined(separator: "/")
        return testsDirectory + "/Corpus/yaml"
    }
}
