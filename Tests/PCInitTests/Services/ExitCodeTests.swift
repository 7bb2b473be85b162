import Foundation
import Glibc
import Testing

/// Every row of the exit code table in config and main-command mode, config errors, and spawn failures.
@Suite("Services: exit codes", .timeLimit(.minutes(1)))
struct ExitCodeTests {
    private static let idleYAML = """
        processes:
          one:
            command: '\(Snippet.idle(marking: "one"))'
          two:
            command: '\(Snippet.idle(marking: "two"))'
        """

    @Test(.needsPIDNamespace, arguments: [SIGTERM, SIGINT])
    func aStopSignalShutsDownCleanlyWithZero(_ signal: Int32) async throws {
        let project = try ServiceProject("stopsignal", Self.idleYAML)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFiles(["one.trapped", "two.trapped"]), "\(run.transcript)")
        let stop = run.send(signal)
        let result = try await run.wait(timeout: .seconds(30))
        let took = result.ended(after: stop)
        #expect(result.status == 0, "\(result)")
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        #expect(result.stderr.contains("pcinit | stopping all services: \(name) received"), "\(result)")
        #expect(took < .seconds(8), "well inside the 10 s stop budget: \(took)\n\(result)")
    }

    @Test(
        .needsPIDNamespace,
        arguments: [
            ("exit 7", "", Int32(7)),
            ("exit 3", "success_exit_codes: [0, 3]", 0),
            ("exit 0", "", 0),
            ("kill -KILL $$$$", "", 137),
        ])
    func anExitOnEndServiceEndsTheRunWithItsCode(_ command: String, _ extra: String, _ expected: Int32) async throws {
        let project = try ServiceProject(
            "exitonend",
            """
            processes:
              job:
                command: 'sleep 0.3; \(command)'
                availability: {exit_on_end: true}
                \(extra)
              other:
                command: '\(Snippet.idle)'
            """)
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(20))
        defer { project.killLeftovers() }
        #expect(result.status == expected, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("stopping all services: job ended (exit_on_end)"), "\(result)")
        #expect(log.contains { $0.hasPrefix("other stopped") }, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func everyServiceFinishedSuccessfullyIsZero() async throws {
        let project = try ServiceProject(
            "allok",
            """
            processes:
              a: {command: 'true'}
              b: {command: 'exit 4', success_exit_codes: [4]}
              c:
                command: 'true'
                depends_on:
                  a: {condition: process_completed_successfully}
            """)
        let result = try await runPCInit(project.arguments(), mode: .pid1, workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        #expect(ServiceRun.messages(in: result.stderr).last == "all services finished", "\(result)")
    }

    @Test(.needsPIDNamespace)
    func everyServiceFinishedWithOneFailureIsOne() async throws {
        let project = try ServiceProject(
            "onefail",
            """
            processes:
              a: {command: 'true'}
              b: {command: 'sleep 0.2; exit 4'}
            """)
        let result = try await runPCInit(project.arguments(), mode: .pid1, workingDirectory: project.path)
        #expect(result.status == 1, "\(result)")
    }

    @Test func aConfigErrorIsTwoWithFileLineColumnAndNothingStarts() async throws {
        let project = try ServiceProject(
            "configerror",
            """
            processes:
              fine:
                command: 'touch {dir}/fine.ran'
              broken:
                command: 'touch {dir}/broken.ran'
                availability:
                  restart: sometimes
            """)
        for mode in [InitMode.subreaper] + (await PIDNamespace.isAvailable() ? [.pid1] : []) {
            let result = try await runPCInit(project.arguments(), mode: mode, workingDirectory: project.path)
            #expect(result.status == 2, "\(mode): \(result)")
            #expect(
                result.stderr.contains("\(project.configPath):7:16: error: processes.broken.availability.restart"),
                "\(mode): \(result)")
            #expect(result.stderr.contains("nothing was started"), "\(result)")
            #expect(!result.stderr.contains("started (pid"), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
        }
        #expect(!project.exists("fine.ran") && !project.exists("broken.ran"), "a service ran despite the error")
    }

    @Test func aDependencyCycleIsAConfigError() async throws {
        let project = try ServiceProject(
            "cycle",
            """
            processes:
              a:
                command: 'touch {dir}/a.ran'
                depends_on: {b: {condition: process_started}}
              b:
                command: 'touch {dir}/b.ran'
                depends_on: {a: {condition: process_started}}
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("a -> b -> a") || result.stderr.contains("b -> a -> b"), "\(result)")
        #expect(!project.exists("a.ran") && !project.exists("b.ran"))
    }

    /// `pcinit -f cfg -- COMMAND`: COMMAND starts once the services are ready, its code is pcinit's, and the
    /// services are stopped before pcinit exits.
    @Test(.needsPIDNamespace)
    func mainCommandStartsWhenServicesAreReadyAndGivesTheExitCode() async throws {
        let project = try ServiceProject(
            "maincmd",
            """
            processes:
              db:
                command: 'trap "date +%s.%N > {dir}/db.term; exit 0" TERM; sleep 0.8; \(Snippet.stamp("db.ready")); echo db is up; while :; do sleep 1 & wait $!; done'
                ready_log_line: db is up
              cache:
                command: 'trap "date +%s.%N > {dir}/cache.term; exit 0" TERM; while :; do sleep 1 & wait $!; done'
            """)
        let main = "date +%s.%N > \(project.path)/main.start; echo main output; exit 7"
        let result = try await runPCInit(
            project.arguments(["--", "sh", "-c", main]), mode: .pid1, workingDirectory: project.path,
            timeout: .seconds(20))
        defer { project.killLeftovers() }
        #expect(result.status == 7, "\(result)")
        let ready = try #require(project.timestamp("db.ready"), "\(result)")
        let mainStart = try #require(project.timestamp("main.start"), "\(result)")
        #expect(mainStart >= ready, "the main command started before db was ready")
        #expect(project.exists("db.term") && project.exists("cache.term"), "services were not stopped:\n\(result)")
        // The main command's output is not prefixed.
        #expect(result.stdoutLines.contains("main output"), "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("db stopped (exited 0)") && log.contains("cache stopped (exited 0)"), "\(result)")
    }

    @Test(.needsPIDNamespace)
    func mainCommandModeStoppedBySIGTERMGivesTheCommandsCode() async throws {
        let project = try ServiceProject("mainterm", "processes:\n  svc:\n    command: '\(Snippet.idle)'\n")
        let main = "trap 'exit 9' TERM; touch \(project.path)/main.up; while :; do sleep 1 & wait $!; done"
        let run = try await ServiceRun.start(project, ["--", "sh", "-c", main], mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFile("main.up"), "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 9, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func aSpawnFailureIsAClearErrorAndTheOthersKeepRunning() async throws {
        let project = try ServiceProject(
            "spawnfail",
            """
            processes:
              missing:
                command: ["/nonexistent/pcinit-test-binary", "--flag"]
                availability: {restart: always, backoff_seconds: 1}
              badcwd:
                command: 'touch {dir}/badcwd.ran'
                working_dir: /nonexistent/pcinit-test-dir
              notexec:
                command: ["{dir}/not-executable"]
              healthy:
                command: 'touch {dir}/healthy.up; \(Snippet.idle)'
            """)
        try project.directory.write("not-executable", "#!/bin/sh\n", mode: 0o644)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFile("healthy.up"), "\(run.transcript)")
        #expect(await run.waitForMessage("missing failed to start") != nil, "\(run.transcript)")
        #expect(await run.waitForMessage("badcwd failed to start") != nil, "\(run.transcript)")
        #expect(await run.waitForMessage("notexec failed to start") != nil, "\(run.transcript)")
        let log = run.messages
        let missing = log.first { $0.hasPrefix("missing failed to start") } ?? ""
        #expect(missing.contains("/nonexistent/pcinit-test-binary"), "the message must name the program: \(missing)")
        let badcwd = log.first { $0.hasPrefix("badcwd failed to start") } ?? ""
        #expect(badcwd.contains("/nonexistent/pcinit-test-dir"), "the message must name the directory: \(badcwd)")
        #expect(!project.exists("badcwd.ran"))
        // Never retried, even with restart: always; the rest runs on. Not a race: a retry would come after
        // the 1 s backoff, so nothing must happen in the next 1.5 s.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(log.filter { $0.hasPrefix("missing failed to start") }.count == 1, "\(run.transcript)")
        #expect(!run.messages.contains { $0.hasPrefix("missing") && $0.contains("restarting") }, "\(run.transcript)")
        #expect(run.pcinit.process.isRunning, "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    /// The main command waits for its services to be ready; one that fails before it is ready skips it: 1.
    @Test(.needsPIDNamespace)
    func aMainCommandWhoseServiceCannotBecomeReadyIsSkippedWithOne() async throws {
        let project = try ServiceProject(
            "mainskip",
            """
            processes:
              db:
                command: 'sleep 0.3; exit 3'
                readiness_probe:
                  exec: {command: 'false'}
                  period_seconds: 1
            """)
        let result = try await runPCInit(
            project.arguments(["--", "touch", project.directory.path("main.ran")]), mode: .pid1,
            workingDirectory: project.path)
        #expect(result.status == 1, "\(result)")
        #expect(!project.exists("main.ran"), "the main command ran without its service ready")
        #expect(
            ServiceRun.messages(in: result.stderr).contains { $0.hasPrefix("main skipped: db failed") }, "\(result)")
    }
}
