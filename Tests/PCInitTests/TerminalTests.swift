import Foundation
import Glibc
import Testing

/// On a terminal the command runs in the foreground, so job control and ^C behave as without pcinit.
/// Each test runs pcinit on a fresh pty (Fixtures/pty_run.py), as session leader with a controlling tty.
@Suite("Terminal and job control", .timeLimit(.minutes(1)))
struct TerminalTests {
    struct PTYResult: Decodable, CustomStringConvertible {
        var output: String
        var status: Int32
        var description: String { "status \(status), output: \(output.debugDescription)" }
    }

    private func onPTY(_ arguments: [String], sendOn: (String, String)? = nil) async throws -> PTYResult {
        var runner = [Paths.python3, Paths.fixture("pty_run.py"), "--timeout", "20"]
        if let (trigger, bytes) = sendOn { runner += ["--send-on", trigger, bytes] }
        let result = try await Subprocess.run(runner + ["--", Paths.pcinit] + arguments, timeout: .seconds(30))
        try #require(result.status == 0, "pty_run.py failed: \(result)")
        return try JSONDecoder().decode(PTYResult.self, from: Data(result.stdout.utf8))
    }

    @Test func commandIsTheForegroundProcessGroup() async throws {
        // /proc/self/stat of the command: pid, pgrp, tty's foreground pgrp.
        let result = try await onPTY(["cut", "-d", " ", "-f", "1,5,8", "/proc/self/stat"])
        #expect(result.status == 0, "\(result)")
        let fields = result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        try #require(fields.count == 3, "\(result)")
        #expect(fields[0] == fields[1], "the command leads its own process group: \(result)")
        #expect(fields[1] == fields[2], "the command's group is the terminal's foreground group: \(result)")
    }

    @Test func interactiveBashHasJobControl() async throws {
        let result = try await onPTY(["bash", "--norc", "--noprofile", "-i", "-c", "echo flags=$-"])
        #expect(result.status == 0, "\(result)")
        let flags = try #require(result.output.firstMatch(of: /flags=(\w+)/)?.1, "\(result)")
        #expect(flags.contains("m"), "\(result)")
        #expect(!result.output.contains("no job control"), "\(result)")
        #expect(!result.output.contains("cannot set terminal process group"), "\(result)")
    }

    @Test func bashMonitorModeWorks() async throws {
        let result = try await onPTY(["bash", "--norc", "--noprofile", "-m", "-c", "sleep 0 & wait; echo flags=$-"])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.firstMatch(of: /flags=\w*m/) != nil, "\(result)")
        #expect(!result.output.contains("no job control"), "\(result)")
    }

    @Test func controlCEndsTheCommandWith130() async throws {
        let result = try await onPTY(["sh", "-c", "echo READY; exec sleep 100"], sendOn: ("READY", "\\x03"))
        #expect(result.status == 130, "\(result)")
    }

    /// dumb-init #136: pcinit is the session leader of the pty here; the command must not get a stray HUP.
    @Test func commandSurvivesAsChildOfASessionLeaderInit() async throws {
        let result = try await onPTY(["sh", "-c", "sleep 0.3; echo alive"])
        #expect(result.status == 0, "\(result)")
        #expect(result.output.contains("alive"), "\(result)")
    }
}
