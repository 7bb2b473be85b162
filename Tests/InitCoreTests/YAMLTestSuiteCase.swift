import Foundation
import InitCore

/// One selected case of the public yaml-test-suite (see Tests/YAMLTestSuite/README.md) and how the reader fares on it.
struct YAMLTestSuiteCase {
    enum Expectation: String {
        /// in.yaml loads to the JSON documents of in.json.
        case json
        /// in.yaml must be rejected.
        case error
    }

    /// `ID` or `ID/NN` for a subtest, as the suite's data release names its directories.
    var id: String
    var expectation: Expectation

    /// The suite's data release: $PCINIT_YAML_TEST_SUITE, else .build/yaml-test-suite in the package; nil when
    /// neither holds it (the data is not part of this repository).
    static var dataDirectory: String? {
        let candidates = [
            ProcessInfo.processInfo.environment["PCINIT_YAML_TEST_SUITE"],
            packageDirectory + "/.build/yaml-test-suite",
        ]
        for case let directory? in candidates
        where FileManager.default.fileExists(atPath: directory + "/tags") {
            return directory
        }
        return nil
    }

    static var selectionDirectory: String {
        let thisFile = #filePath
        return thisFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
            + "/YAMLTestSuite"
    }

    private static var packageDirectory: String {
        let thisFile = #filePath
        return thisFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    }

    /// The committed selection, Tests/YAMLTestSuite/cases.txt (written by select.py).
    static func selected() throws -> [YAMLTestSuiteCase] {
        let text = try String(contentsOfFile: selectionDirectory + "/cases.txt", encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let expectation = Expectation(rawValue: String(fields[1])) else {
                throw SuiteDataError(message: "bad line in cases.txt: \(line)")
            }
            return YAMLTestSuiteCase(id: String(fields[0]), expectation: expectation)
        }
    }

    /// How the reader fared on a case.
    enum Outcome: Equatable {
        /// A valid case loaded to in.json without a warning.
        case identical
        /// An error case the reader rejected.
        case rejected
        /// An error case the reader accepted with a warning: that is how it tells the user the document is not
        /// valid YAML 1.2 while loading it as libyaml (process-compose's YAML library) does. `json` is its value.
        case warned(input: String, json: String)
        /// The reader does not conform, and why.
        case wrong(String)
    }

    /// How the reader fares on this case.
    func outcome(dataDirectory: String) throws -> Outcome {
        let directory = dataDirectory + "/" + id
        let input = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/in.yaml")), as: UTF8.self)
        let suiteSaysError = FileManager.default.fileExists(atPath: directory + "/error")
        if suiteSaysError != (expectation == .error) {
            throw SuiteDataError(message: "\(id): the data release disagrees with cases.txt; run select.py again")
        }
        let document: YAMLNode?
        var warnings: [YAMLWarning] = []
        do {
            document = try YAMLReader.parse(input, file: "in.yaml", warnings: &warnings)
        } catch {
            return expectation == .error ? .rejected : .wrong("rejected: \(error)")
        }
        let actual = document?.jsonValue
        guard expectation == .json else {
            if !warnings.isEmpty { return .warned(input: input, json: actual?.rendered() ?? "null") }
            return .wrong("accepted an invalid document without a warning: \(actual?.rendered() ?? "<empty>")")
        }
        if let warning = warnings.first { return .wrong("warned on a valid document: \(warning)") }
        let expected = try Self.jsonDocuments(try Data(contentsOf: URL(fileURLWithPath: directory + "/in.json")))
        // The reader returns nil for a document without content, which the suite writes as no document or null.
        let matches: Bool
        switch (actual, expected.count) {
        case (nil, 0): matches = true
        case (nil, 1): matches = expected[0] == .null
        case (let value?, 1): matches = Self.sameJSON(value, expected[0])
        default: matches = false
        }
        if matches { return .identical }
        return .wrong(
            "reader: \(actual?.rendered() ?? "<empty>"), expected: "
                + expected.map { $0.rendered() }.joined(separator: " "))
    }

    /// in.json holds zero or more JSON texts one after another.
    static func jsonDocuments(_ data: Data) throws -> [JSONValue] {
        let bytes = [UInt8](data)
        var documents: [JSONValue] = []
        var index = 0
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        while true {
            while index < bytes.count && isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { return documents }
            let start = index
            var depth = 0
            var inString = false
            while index < bytes.count {
                let b = bytes[index]
                index += 1
                if inString {
                    if b == UInt8(ascii: "\\") {
                        index += 1
                    } else if b == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 { break }
                    }
                } else if b == UInt8(ascii: "\"") {
                    inString = true
                } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                    depth += 1
                } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { break }
                } else if depth == 0 && index < bytes.count && isSpace(bytes[index]) {
                    break
                }
            }
            documents.append(try JSONParser.parse(bytes[start..<index]))
        }
    }

    /// JSON equality: object members in any order, integers equal to the same floating-point value.
    static func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { member in y.contains { $0.0 == member.0 && sameJSON($0.1, member.1) } }
        default: return a == b
        }
    }
}

struct SuiteDataError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
