import Foundation
import Glibc
import Testing

/// Logs for machines and people: `log_format: json`, `log_timestamps`, colours on a terminal, aligned
/// prefixes, and `log_location` files with rotation.
@Suite("Services: log formats and files", .timeLimit(.minutes(1)))
struct LogFormatTests {
    static func json(_ line: some StringProtocol) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// RFC 3339, UTC, milliseconds.
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, checked byte by byte: it runs for each of 10,000 lines on a pool thread, and
    /// a regex built per call took seconds of it in a debug build.
    static func isTime(_ text: some StringProtocol) -> Bool {
        let pattern = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == pattern.count else { return false }
        for (byte, expected) in zip(bytes, pattern) {
            if expected == UInt8(ascii: "d") {
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            } else if byte != expected {
                return false
            }
        }
        return true
    }

    @Test(.needsPIDNamespace)
    func jsonLinesParseAndKeepEveryLineOfFourConcurrentWriters() async throws {
        let names = ["alpha", "b", "gamma-long-name", "d"]
        let lines = 2500
        let services = names.map { name in
            "  \(name):\n    command: [\"\(Paths.python3)\", \"\(Paths.fixture("services/lines.py"))\", \"\(lines)\"]"
        }
        let project = try ServiceProject(
            "jsonlines", "processes:\n" + services.joined(separator: "\n") + "\nx-pcinit:\n  log_format: json\n")
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(40))
        #expect(result.status == 0, "exited \(result.termination)\n\(result.stderr.prefix(2000))")
        var next: [String: Int] = Dictionary(uniqueKeysWithValues: names.map { ($0, 1) })
        var bad: [String] = []
        for line in result.stdout.split(separator: "\n") {
            guard let object = Self.json(line), let service = object["service"] as? String,
                let message = object["message"] as? String, let time = object["time"] as? String,
                object["stream"] as? String == "stdout", object.count == 4
            else {
                bad.append(String(line.prefix(120)))
                continue
            }
            if !Self.isTime(time) { bad.append("time \(time)") }
            let number = Int(message.dropFirst("line-".count).prefix { $0.isNumber }) ?? -1
            if number % 97 == 0 && message != "line-\(number)-" + String(repeating: "x", count: 8000) {
                bad.append("\(service): long line \(number) is \(message.count) characters")
            }
            if next[service] != number { bad.append("\(service): expected line-\(next[service] ?? -1), got \(number)") }
            next[service] = number + 1
        }
        #expect(bad.isEmpty, "\(bad.count) bad lines, first: \(bad.prefix(5))")
        for name in names { #expect(next[name] == lines + 1, "\(name) stopped at line \(next[name]! - 1)") }
        // stderr: the services' stderr lines and pcinit's own, every one a JSON object.
        let errLines = result.stderr.split(separator: "\n")
        let objects = errLines.compactMap { Self.json($0) }
        #expect(
            objects.count == errLines.count,
            "stderr lines that are not JSON: \(errLines.filter { Self.json($0) == nil }.prefix(3))")
        #expect(objects.filter { $0["stream"] as? String == "stderr" }.count == names.count * lines / 500)
        let own = objects.filter { $0["stream"] as? String == "pcinit" }
        #expect(
            own.contains { $0["message"] as? String == "all services finished" && $0["level"] as? String == "info" })
        #expect(own.allSatisfy { $0["service"] as? String == "pcinit" && $0["level"] != nil })
    }

    @Test func invalidUTF8AndControlCharactersAreEscapedNotDropped() async throws {
        let project = try ServiceProject(
            "jsonbytes",
            """
            processes:
              w:
                command: ["\(Paths.python3)", "-c", "import os; os.write(1, b'caf\\\\xe9 \\\\xe2\\\\x82\\\\xac \\\\x01\\"q\\"\\\\\\\\\\\\tend\\\\n')"]
            x-pcinit:
              health_addr: "off"
            """)
        let result = try await runPCInit(
            project.arguments(), environment: .clean.with(["PCINIT_LOG_FORMAT": "json"]), workingDirectory: project.path
        )
        #expect(result.status == 0, "\(result)")
        let line = try #require(result.stdoutLines.first, "\(result)")
        #expect(line.contains(#""message":"caf\\xe9 € \u0001\"q\"\\\tend""#), "\(line)")
        #expect(Self.json(line)?["message"] as? String == "caf\\xe9 € \u{1}\"q\"\\\tend", "\(line)")
    }

    @Test func timestampsPrefixTextLines() async throws {
        let project = try ServiceProject(
            "timestamps",
            """
            processes:
              web:
                command: 'echo out; echo err >&2'
            x-pcinit:
              health_addr: "off"
              log_timestamps: true
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        let out = try #require(result.stdoutLines.first { $0.hasSuffix("web    | out") }, "\(result)")
        #expect(Self.isTime(out.prefix(24)), "\(out)")
        let own = try #require(result.stderrLines.first { $0.hasSuffix("pcinit | all services finished") })
        #expect(Self.isTime(own.prefix(24)), "\(own)")
        #expect(result.stderrLines.allSatisfy { $0.isEmpty || Self.isTime($0.prefix(24)) })
    }

    @Test func pcinitsPrefixIsPaddedToTheServicesWidth() async throws {
        let project = try ServiceProject(
            "padding",
            """
            processes:
              a-long-service-name:
                command: 'echo hi'
            x-pcinit:
              health_addr: "off"
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.stdoutLines.contains("a-long-service-name | hi"), "\(result)")
        #expect(result.stderrLines.contains("pcinit              | all services finished"), "\(result)")
    }

    @Test func prefixesAreColouredOnATerminalUnlessNoColor() async throws {
        let project = try ServiceProject(
            "colours",
            """
            processes:
              web:
                command: 'echo hi'
            x-pcinit:
              health_addr: "off"
            """)
        func onPTY(_ environment: [String: String]) async throws -> String {
            let runner = [Paths.python3, Paths.fixture("pty_run.py"), "--timeout", "20", "--", Paths.pcinit]
            // Whatever the test runner has (a CI may set NO_COLOR or TERM=dumb), only `environment` decides.
            var variables = Environment.clean.with(["TERM": "xterm"]).with(environment)
            if environment["NO_COLOR"] == nil { variables.variables["NO_COLOR"] = nil }
            let result = try await Subprocess.run(
                runner + project.arguments(), environment: variables, workingDirectory: project.path,
                timeout: .seconds(30))
            try #require(result.status == 0, "\(result)")
            let object = try #require(Self.json(result.stdout))
            return try #require(object["output"] as? String)
        }
        let coloured = try await onPTY([:])
        #expect(coloured.contains("\u{1B}[36mweb    |\u{1B}[0m hi"), "\(coloured.debugDescription)")
        #expect(coloured.contains("\u{1B}[1mpcinit |\u{1B}[0m all services finished"), "\(coloured.debugDescription)")
        let plain = try await onPTY(["NO_COLOR": "1"])
        #expect(!plain.contains("\u{1B}["), "\(plain.debugDescription)")
        #expect(plain.contains("web    | hi"), "\(plain.debugDescription)")
        // Not a terminal: never coloured.
        let piped = try await runPCInit(
            project.arguments(), environment: .clean.with(["TERM": "xterm"]), workingDirectory: project.path)
        #expect(!piped.stdout.contains("\u{1B}[") && !piped.stderr.contains("\u{1B}["), "\(piped)")
    }

    @Test func logLocationGetsEveryLineAndRotatesBySize() async throws {
        // 3 MB of numbered lines into a 1 MB file with 2 backups: web.log, web.log.1, web.log.2, each ≤ 1 MB, and
        // together the newest lines in order, up to the last.
        let count = 60_000
        let project = try ServiceProject(
            "logfile",
            """
            processes:
              web:
                command: ["\(Paths.python3)", "-c", "import sys\\nfor n in range(1, \(count + 1)): sys.stdout.write('line %06d %s\\\\n' % (n, 'x' * 40))"]
                log_location: logs/web.log
                log_configuration:
                  rotation: {max_size_mb: 1, max_backups: 2}
            x-pcinit:
              health_addr: "off"
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdoutLines.filter { $0.hasPrefix("web    | line ") }.count == count, "stdout still gets every line")
        var numbers: [Int] = []
        for name in ["logs/web.log.2", "logs/web.log.1", "logs/web.log"] {
            let text = try #require(project.read(name), "\(name) missing")
            #expect(text.utf8.count <= 1024 * 1024, "\(name) is \(text.utf8.count) bytes")
            numbers += text.split(separator: "\n").compactMap { Int($0.split(separator: " ")[1]) }
        }
        #expect(!project.exists("logs/web.log.3"), "only max_backups rotated files are kept")
        #expect(numbers.last == count)
        #expect(numbers == Array((numbers.first ?? 0)...(numbers.last ?? 0)), "the files hold consecutive lines")
        #expect(numbers.count > 2 * count / 3 - 100, "three files of ~1 MB hold ~2/3 of 3 MB: \(numbers.count)")
    }

    @Test func noWakeupsWhileIdleWithJSONTimestampsAndALogFile() async throws {
        let project = try ServiceProject(
            "jsonidle",
            """
            processes:
              web:
                command: 'echo started; exec sleep \(uniqueSleepSeconds())'
                log_location: '{dir}/web.log'
            x-pcinit:
              log_format: json
              log_timestamps: true
            """)
        let run = try await ServiceRun.start(project)
        defer { run.stop() }
        let settled = await Poll.until {
            project.read("web.log")?.contains("started") == true && ProcFS.isWaitingInEpoll(run.pcinit.pid)
        }
        try #require(settled, "\(run.transcript)")
        let before = try #require(ProcFS.contextSwitches(run.pcinit.pid))
        // Not a race: the measuring window, in which nothing may wake pcinit.
        try await Task.sleep(for: .seconds(3))
        let after = try #require(ProcFS.contextSwitches(run.pcinit.pid))
        #expect(after - before == 0, "pcinit woke up \(after - before) times in 3 s while idle")
    }
}
