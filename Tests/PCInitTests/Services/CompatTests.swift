import Foundation
import Glibc
import Testing

/// process-compose features a migrating user's files use, end to end: `is_tty` on a real pseudo-terminal,
/// `env_cmds`, per-replica templates, and `-e FILE`.
@Suite("Services: process-compose compatibility", .timeLimit(.minutes(1)))
struct CompatTests {
    /// `name | line` without the padding that aligns the names (its width is not what these tests check).
    static func unpadded(_ lines: [String]) -> [String] {
        lines.filter { !$0.isEmpty }.map { line in
            guard let bar = line.range(of: " | ") else { return line }
            return line[..<bar.lowerBound].trimmingCharacters(in: .whitespaces) + line[bar.lowerBound...]
        }
    }

    /// `is_tty: true`: the service's stdout and stderr are a terminal (merged, relayed like any service) and it
    /// has a controlling terminal in a session of its own; a service without it still writes into a pipe.
    @Test func isTTYRunsTheServiceOnAPseudoTerminal() async throws {
        let project = try ServiceProject(
            "tty",
            """
            processes:
              term:
                is_tty: true
                command: >-
                  if test -t 1; then echo "out-is-tty"; else echo "out-is-pipe"; fi;
                  if test -t 2; then echo "err-is-tty" >&2; fi;
                  if (: < /dev/tty) 2>/dev/null; then echo "has-controlling-tty"; fi;
                  test "$(cut -d' ' -f6 /proc/$$$$/stat)" = "$$$$" && echo "leads-its-session";
                  printf 'no-newline-at-end'
              pipe:
                is_tty: no
                command: 'if test -t 1; then echo "out-is-tty"; else echo "out-is-pipe"; fi'
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        let lines = Self.unpadded(result.stdoutLines)
        #expect(
            lines.filter { $0.hasPrefix("term |") } == [
                "term | out-is-tty", "term | err-is-tty", "term | has-controlling-tty", "term | leads-its-session",
                "term | no-newline-at-end",
            ], "\(result)")
        #expect(lines.contains("pipe | out-is-pipe"), "\(result)")
        #expect(!result.stderr.contains("term |"), "\(result)")
    }

    /// A terminal service is a process group like any other: SIGTERM reaches it and it stops at once.
    @Test func aTTYServiceIsStoppedLikeAnyOther() async throws {
        let project = try ServiceProject(
            "ttystop",
            """
            processes:
              term:
                is_tty: true
                command: '\(Snippet.idle(marking: "term"))'
            """)
        let run = try await ServiceRun.start(project)
        defer { run.stop() }
        #expect(await run.waitForFile("term.trapped"), "\(run.transcript)")
        let sent = run.send(SIGTERM)
        let result = try await run.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.ended(after: sent) < .seconds(5), "\(result)")
    }

    /// `env_cmds`: run once at load with a 2 s limit, output trimmed; a failure leaves the variable unset.
    @Test func envCommandsSetTheirVariables() async throws {
        let sleep = uniqueSleepSeconds()
        let project = try ServiceProject(
            "envcmds",
            """
            env_cmds:
              GREETING: "printf '  hello there \\n\\n'"
              BROKEN: "echo nope >&2; exit 3"
              SLOW: "sleep \(sleep); echo late"
            processes:
              show:
                command: 'echo "[$${GREETING}] [$${BROKEN-unset}] [$${SLOW-unset}]"'
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        #expect(Self.unpadded(result.stdoutLines).contains("show | [hello there] [unset] [unset]"), "\(result)")
        #expect(
            result.stderrLines.contains {
                $0.hasSuffix("warning: env_cmds.BROKEN: 'echo nope >&2; exit 3' exited 3 (nope); BROKEN is left unset")
            }, "\(result)")
        #expect(result.stderrLines.contains { $0.contains("env_cmds.SLOW: ") && $0.contains("timed out after 2s") })
        // The timed-out command is killed with its group, not left behind.
        #expect(ProcFS.pids(commandLineContaining: "sleep \(sleep)").isEmpty)
        // The limit is 2 s: far from the 900 s the slow command would take.
        #expect(result.duration < .seconds(20), "\(result)")
    }

    @Test func replicasRenderTheirNumberAndEnvFilesFeedExpansion() async throws {
        let project = try ServiceProject(
            "replicas",
            """
            processes:
              worker:
                replicas: 2
                command: 'echo "worker {{.PC_REPLICA_NUM}} of ${FLEET}"'
            """)
        try project.directory.write("fleet.env", "FLEET=blue\n")
        let ok = try await runPCInit(["-e", "fleet.env"] + project.arguments(), workingDirectory: project.path)
        #expect(ok.status == 0, "\(ok)")
        let lines = Set(Self.unpadded(ok.stdoutLines))
        #expect(lines.contains("worker-0 | worker 0 of blue") && lines.contains("worker-1 | worker 1 of blue"), "\(ok)")
        let config = try await runPCInit(
            ["config", "-e", "fleet.env"] + project.arguments(), workingDirectory: project.path)
        #expect(config.status == 0 && config.stdout.contains("worker 1 of blue"), "\(config)")
        let missing = try await runPCInit(["-e", "nope.env"] + project.arguments(), workingDirectory: project.path)
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("-e: cannot read"), "\(missing)")
    }
}
