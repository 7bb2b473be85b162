import Foundation
import Glibc
import Testing

/// The log relay: `name | line` on pcinit's stdout/stderr, whole lines only, nothing lost, long lines split.
@Suite("Services: logs", .timeLimit(.minutes(1)))
struct LogTests {
    @Test(.needsPIDNamespace)
    func aLineWrittenInTwoPiecesIsRelayedWhole() async throws {
        let project = try ServiceProject(
            "twopieces",
            """
            processes:
              web:
                command: 'printf "abc"; sleep 0.3; printf "def\\nghi\\n"'
            """)
        let result = try await runPCInit(project.arguments(), mode: .pid1, workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines == ["web    | abcdef", "web    | ghi", ""], "\(result)")
    }

    @Test(.needsPIDNamespace)
    func tenThousandLinesFromFourServicesAreNeitherLostNorTorn() async throws {
        let names = ["alpha", "b", "gamma-long-name", "d"]
        let lines = 2500
        let services = names.map { name in
            "  \(name):\n    command: [\"\(Paths.python3)\", \"\(Paths.fixture("services/lines.py"))\", \"\(lines)\"]"
        }
        let project = try ServiceProject("lines", "processes:\n" + services.joined(separator: "\n") + "\n")
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(40))
        #expect(result.status == 0, "exited \(result.termination)\n\(result.stderr)")
        let width = names.map(\.count).max()!
        var next: [String: Int] = Dictionary(uniqueKeysWithValues: names.map { ($0, 1) })
        var bad: [String] = []
        let pattern = try Regex(#"^([a-z-]+) *\| line-([0-9]+)(-x+)?$"#)
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let match = try pattern.wholeMatch(in: line),
                let name = match.output[1].substring.map(String.init),
                let number = match.output[2].substring.flatMap({ Int($0) })
            else {
                bad.append(String(line.prefix(120)))
                continue
            }
            // Names are padded to a common width.
            if line.firstIndex(of: "|").map({ line.distance(from: line.startIndex, to: $0) }) != width + 1 {
                bad.append("padding: \(line.prefix(60))")
            }
            if let xs = match.output[3].substring, number % 97 != 0 || xs.count != 8001 {
                bad.append("long line \(name) \(number) has \(xs.count) chars of tail")
            }
            if number % 97 == 0 && match.output[3].substring == nil { bad.append("long line \(name) \(number) cut") }
            if next[name] != number {
                bad.append("\(name): expected line-\(next[name] ?? -1), got line-\(number)")
            }
            next[name] = number + 1
        }
        #expect(bad.isEmpty, "\(bad.count) bad lines, first: \(bad.prefix(5))")
        for name in names { #expect(next[name] == lines + 1, "\(name) stopped at line \(next[name]! - 1)") }
        // stderr lines go to stderr, prefixed, and nowhere else.
        for name in names {
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            let errors = result.stderrLines.filter { $0.hasPrefix("\(padded) | err-") }
            #expect(errors.count == lines / 500, "\(name): \(errors.count) stderr lines")
        }
        #expect(!result.stdout.contains("err-"), "stderr lines leaked into stdout")
    }

    @Test(.needsPIDNamespace)
    func aHugeLineWithoutNewlineIsSplitNotLost() async throws {
        let size = 100 * 1024
        let project = try ServiceProject(
            "hugeline",
            """
            processes:
              huge:
                command: ["\(Paths.python3)", "-c", "import sys; sys.stdout.write('a' * \(size)); sys.stdout.flush()"]
            """)
        let result = try await runPCInit(project.arguments(), mode: .pid1, workingDirectory: project.path)
        #expect(result.status == 0, "\(result.termination)\n\(result.stderr)")
        let lines = result.stdoutLines.filter { !$0.isEmpty }
        #expect(lines.count >= 7, "100 KiB must be split into pieces of at most 16 KiB: \(lines.count) lines")
        #expect(lines.allSatisfy { $0.hasPrefix("huge   | ") }, "every piece is prefixed")
        let payload = lines.map { $0.dropFirst("huge   | ".count) }
        #expect(payload.allSatisfy { $0.count <= 16 * 1024 && $0.allSatisfy { $0 == "a" } })
        #expect(payload.map(\.count).reduce(0, +) == size, "bytes lost: \(payload.map(\.count))")
    }

    /// A slow reader of pcinit's stdout: the relay stops reading (backpressure) and the service exits while
    /// its last lines still sit in its pipe. They must all come out before pcinit exits.
    @Test func aSlowReaderStillGetsEveryLineAfterTheServiceExits() async throws {
        let count = 60_000
        let project = try ServiceProject(
            "slowreader",
            """
            processes:
              burst:
                command: ["seq", "1", "\(count)"]
            x-pcinit:
              health_addr: "off"
            """)
        // pcinit's stdout is a pipe nobody reads for a second: far more than pipe + queue bound is written.
        let script = #""$0" "$@" | { sleep 1; cat; } > "$PCINIT_OUT""#
        let output = project.path + "/relayed.txt"
        let result = try await Subprocess.run(
            ["sh", "-c", script, Paths.pcinit] + project.arguments(),
            environment: .clean.with(["PCINIT_OUT": output]),
            workingDirectory: project.path,
            timeout: .seconds(30))
        #expect(result.status == 0, "\(result)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == count, "\(lines.count) of \(count) lines relayed")
        #expect(lines.last == "burst  | \(count)", "last line: \(lines.last ?? "none")")
    }

    @Test(.needsPIDNamespace)
    func serviceOutputIsPrefixedAndPCInitMessagesGoToStderr() async throws {
        let project = try ServiceProject(
            "prefix",
            """
            processes:
              web:
                command: 'echo to-stdout; echo to-stderr >&2; printf "no newline at the end"'
              db:
                command: 'echo db-out'
            """)
        let result = try await runPCInit(project.arguments(), mode: .pid1, workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        // Names and pcinit's own prefix are padded to one width.
        #expect(result.stdoutLines.contains("web    | to-stdout"), "\(result)")
        #expect(
            result.stdoutLines.contains("web    | no newline at the end"), "a last partial line is flushed\n\(result)")
        #expect(result.stdoutLines.contains("db     | db-out"), "\(result)")
        #expect(result.stderrLines.contains("web    | to-stderr"), "\(result)")
        #expect(!result.stdout.contains("pcinit |"), "\(result)")
        #expect(result.stderrLines.contains("pcinit | all services finished"), "\(result)")
    }
}
