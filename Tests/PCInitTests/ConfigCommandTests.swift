import Foundation
import Testing

/// `pcinit config`: what YAML 1.2 forbids but process-compose's YAML library accepts is a warning on stderr, with
/// `--raw` too, and an error under `is_strict: true`.
@Suite("pcinit config", .timeLimit(.minutes(1)))
struct ConfigCommandTests {
    static let config = "processes:\n  web:\n    command: [sh,\n    -c, x]\n"
    static let warning =
        "pcinit | process-compose.yml:4:5: warning: this line of a flow sequence is not indented past its key "
        + "(YAML 1.2 requires at least 5 spaces of indentation here, found 4; accepted, as process-compose's YAML "
        + "library does)"

    @Test func rawPrintsTheDocumentAndTheWarningOnStderr() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("process-compose.yml", Self.config)
        let result = try await runPCInit(["config", "--raw"], workingDirectory: directory.path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderrLines == [Self.warning], "\(result)")
        let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let web = (value?["processes"] as? [String: Any])?["web"] as? [String: Any]
        #expect(web?["command"] as? [String] == ["sh", "-c", "x"], "\(result)")
    }

    @Test func theWarningIsAnErrorUnderIsStrict() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("process-compose.yml", Self.config)
        let lenient = try await runPCInit(["config"], workingDirectory: directory.path)
        #expect(lenient.status == 0, "\(lenient)")
        #expect(lenient.stderrLines == [Self.warning], "\(lenient)")

        try directory.write("process-compose.yml", "is_strict: true\n" + Self.config)
        let strict = try await runPCInit(["config"], workingDirectory: directory.path)
        #expect(strict.status == 2, "\(strict)")
        #expect(strict.stdout.isEmpty, "\(strict)")
        #expect(
            strict.stderrLines.first
                == "pcinit | process-compose.yml:5:5: error: this line of a flow sequence is not indented past its key "
                + "(YAML 1.2 requires at least 5 spaces of indentation here, found 4; an error under is_strict, "
                + "although process-compose's YAML library accepts it)", "\(strict)")
    }
}
