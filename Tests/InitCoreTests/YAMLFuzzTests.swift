import InitCore
import Testing

/// Seeded random mutations must make the reader return or throw, never trap or hang. Seconds of CPU: each
/// test runs on a thread of its own, not on the async pool the black-box tests share.
@Suite(.onDedicatedThread) struct YAMLFuzzTests {
    static let interestingBytes: [UInt8] =
        Array(":-[]{}\"'|>&*!#%@`,?\t\n\r \\0123456789.~".utf8) + [0xC3, 0xA9, 0xFF, 0x00]

    static func mutate(_ original: [UInt8], generator: inout YAMLDocumentGenerator) -> [UInt8] {
        var bytes = original
        for _ in 0..<(1 + generator.below(8)) {
            let position = bytes.isEmpty ? 0 : generator.below(bytes.count)
            switch generator.below(7) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << generator.below(8))
            case 1: bytes.insert(generator.pick(interestingBytes), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3 where !bytes.isEmpty: bytes[position] = generator.pick(interestingBytes)
            case 4 where !bytes.isEmpty:
                // Duplicate a slice: repeats structure (anchors, indentation) in odd places.
                let length = min(1 + generator.below(40), bytes.count - position)
                let slice = Array(bytes[position..<(position + length)])
                bytes.insert(contentsOf: slice, at: generator.below(bytes.count + 1))
            case 5: bytes = Array(bytes.prefix(position))
            default:
                bytes.insert(
                    contentsOf: Array(repeating: generator.pick(interestingBytes), count: 1 + generator.below(6)),
                    at: position)
            }
        }
        return bytes
    }

    /// Parses and reports the CPU time it took; any result (node or error) is fine.
    static func timedParse(_ bytes: [UInt8]) -> Duration {
        let text = String(decoding: bytes, as: UTF8.self)
        return YAMLTestSupport.cpuTime {
            if let node = try? YAMLReader.parse(text, file: "fuzz.yml") {
                _ = node.jsonValue.rendered()
            }
        }
    }

    @Test func mutatedCorpusNeverCrashesOrHangs() throws {
        let corpus = try YAMLDifferentialTests.corpusDocuments().map { Array($0.text.utf8) }
        var generator = YAMLDocumentGenerator(seed: 0xF022)
        var slowest = Duration.zero
        var iterations = 0
        for document in corpus {
            for _ in 0..<600 {
                slowest = max(slowest, Self.timedParse(Self.mutate(document, generator: &generator)))
                iterations += 1
            }
        }
        #expect(iterations >= 4_000)
        #expect(slowest < .seconds(1))
    }

    @Test func mutatedGeneratedDocumentsNeverCrashOrHang() {
        let documents = YAMLDifferentialTests.generatedDocuments(count: 100, seed: 0xF023).map { Array($0.utf8) }
        var generator = YAMLDocumentGenerator(seed: 0xF024)
        var slowest = Duration.zero
        for document in documents {
            for _ in 0..<20 {
                slowest = max(slowest, Self.timedParse(Self.mutate(document, generator: &generator)))
            }
        }
        #expect(slowest < .seconds(1))
    }

    @Test func randomTokenSoupNeverCrashesOrHangs() {
        let tokens = [
            "a", "key", ": ", ":", "- ", "-", "[", "]", "{", "}", ",", "\"", "'", "\\", "|", ">", "|-", ">+2",
            "&x ", "*x", "*x ", "!!str ", "!", "# c", "\n", "\n  ", "\n    ", "\t", " ", "---", "...", "<<: ",
            "? ", "%YAML 1.2\n", "\"\\u00", "'a''b'", "1.5", "~", "\r\n", "\u{FEFF}", "é",
        ]
        var generator = YAMLDocumentGenerator(seed: 0x50_0F)
        var slowest = Duration.zero
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<(1 + generator.below(40)) { text += generator.pick(tokens) }
            slowest = max(slowest, Self.timedParse(Array(text.utf8)))
        }
        #expect(slowest < .seconds(1))
    }
}
