import Foundation
import InitCore
import Testing

/// Compares the reader with PyYAML on the corpus and on generated documents (where YAML 1.1 and 1.2 agree).
/// Each test waits for a python3 process: on a thread of its own, not on the async pool.
@Suite(.onDedicatedThread) struct YAMLDifferentialTests {
    static func corpusDocuments() throws -> [(name: String, text: String)] {
        let directory = YAMLTestSupport.corpusDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yml") }
            .sorted()
        return try names.map { name in (name, try String(contentsOfFile: directory + "/" + name, encoding: .utf8)) }
    }

    static func generatedDocuments(count: Int, seed: UInt64) -> [String] {
        var generator = YAMLDocumentGenerator(seed: seed)
        return (0..<count).map { _ in generator.document() }
    }

    /// Mismatch descriptions for documents both readers should accept.
    static func mismatches(names: [String], documents: [String], oracle: [YAMLPythonOracle.Outcome]) -> [String] {
        var problems: [String] = []
        for (index, document) in documents.enumerated() {
            let mine = YAMLTestSupport.json(document, file: names[index])
            switch oracle[index] {
            case .failure(let message):
                problems.append("\(names[index]): PyYAML rejected it (\(message)); reader gave \(mine)\n\(document)")
            case .json(let expected):
                if !YAMLPythonOracle.sameJSON(mine, expected) {
                    problems.append(
                        "\(names[index]):\nreader: \(mine)\nPyYAML: \(expected)\n--- document ---\n\(document)")
                }
            }
        }
        return problems
    }

    @Test func corpusMatchesPyYAML() throws {
        let corpus = try Self.corpusDocuments()
        #expect(corpus.count >= 8)
        for document in corpus {
            var warnings: [YAMLWarning] = []
            _ = try? YAMLReader.parse(document.text, file: document.name, warnings: &warnings)
            #expect(warnings.isEmpty, "valid YAML 1.2, yet warned about: \(warnings.map(\.description))")
        }
        guard let oracle = try YAMLPythonOracle.load(corpus.map(\.text)) else { return }
        let problems = Self.mismatches(names: corpus.map(\.name), documents: corpus.map(\.text), oracle: oracle)
        #expect(problems.isEmpty, "\(problems.count) mismatches:\n\(problems.prefix(2).joined(separator: "\n\n"))")
    }

    @Test func generatedDocumentsMatchPyYAML() throws {
        let documents = Self.generatedDocuments(count: 400, seed: 0x5EED_0001)
        guard let oracle = try YAMLPythonOracle.load(documents) else { return }
        let names = documents.indices.map { "generated-\($0).yml" }
        let problems = Self.mismatches(names: names, documents: documents, oracle: oracle)
        #expect(problems.isEmpty, "\(problems.count) mismatches:\n\(problems.prefix(2).joined(separator: "\n\n"))")
    }
}
