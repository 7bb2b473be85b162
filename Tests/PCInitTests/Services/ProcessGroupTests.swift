import Foundation
import Glibc
import Testing

/// A service is over when its process group is, not when its first pid exits. With dash (Debian's and
/// Ubuntu's /bin/sh) `sh -c "python3 app.py"` keeps the shell as the group's leader and python as its
/// child; the shell dies of SIGTERM at once while python drains.
@Suite("Services: process groups", .timeLimit(.minutes(1)))
struct ProcessGroupTests {
    /// `python3 drain.py NAME SECONDS {dir} [PORT]` as a shell command, so dash stays in front of it.
    static func drain(_ name: String, seconds: Double, port: UInt16? = nil) -> String {
        let port = port.map { " \($0)" } ?? ""
        return "\(Paths.python3) \(Paths.fixture("services/drain.py")) \(name) \(seconds) {dir}\(port)"
    }

    static let dash = "shell: {shell_command: dash, shell_argument: -c}"

    /// A private control socket and no health port: these tests never touch the defaults.
    static func options(_ project: ServiceProject) -> [String] {
        ["--socket", project.directory.path("pcinit.sock"), "--health-addr", "off"]
    }

    @Test(.needsTools("dash"), .needsPIDNamespace, arguments: [InitMode.pid1, .subreaper])
    func aDependentThatDrainsIsWaitedForBeforeItsDependencyStops(_ mode: InitMode) async throws {
        let project = try ServiceProject(
            "pgdrain",
            """
            \(Self.dash)
            processes:
              db:
                command: '\(Self.drain("db", seconds: 0))'
              api:
                command: '\(Self.drain("api", seconds: 2))'
                depends_on:
                  db: {condition: process_started}
            """)
        let run = try await ServiceRun.start(project, Self.options(project), mode: mode)
        defer { run.stop() }
        #expect(await run.waitForFile("api.up"), "\(run.transcript)")
        #expect(await run.waitForFile("db.up"), "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        let apiExit = try #require(project.timestamp("api.exit"), "\(result)")
        let dbTerm = try #require(project.timestamp("db.terms"), "\(result)")
        #expect(dbTerm > apiExit, "db was stopped while api still drained: api exit \(apiExit), db TERM \(dbTerm)")
        // Exactly one TERM each: no orphan sweep hit a service's process a second time.
        #expect(project.lines("api.terms").count == 1, "\(project.lines("api.terms"))\n\(result)")
        #expect(project.lines("db.terms").count == 1, "\(project.lines("db.terms"))\n\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        let apiStopped = try #require(position(of: "api stopped", in: log), "\(result)")
        let dbStopping = try #require(position(of: "db stopping", in: log), "\(result)")
        #expect(apiStopped < dbStopping, "\(result)")
        #expect(!log.contains { $0.contains("belong to no service") }, "nothing was an orphan:\n\(result)")
    }

    @Test(.needsTools("dash"), .needsPIDNamespace)
    func restartWaitsForTheOldCopyToReleaseItsPort() async throws {
        let port = freeTCPPort()
        let project = try ServiceProject(
            "pgrestart",
            """
            \(Self.dash)
            processes:
              web:
                command: '\(Self.drain("web", seconds: 1, port: port))'
                availability: {restart: on_failure, backoff_seconds: 1}
            """)
        let run = try await ServiceRun.start(project, Self.options(project), mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"), "\(run.transcript)")
        let restart = try await runPCInit(["--socket", project.directory.path("pcinit.sock"), "restart", "web"])
        #expect(restart.status == 0, "\(restart)")
        #expect(await run.waitForLines("web.pid", count: 2, timeout: .seconds(15)), "\(run.transcript)")
        #expect(
            !project.exists("web.bind-failed"),
            "the new copy started while the old one held the port:\n\(run.transcript)")
        let exits = project.timestamps("web.exit")
        #expect(exits.count == 1, "\(run.transcript)")
        #expect(!run.messages.contains { $0.contains("web failed") || $0.contains("exited 1") }, "\(run.transcript)")
        let status = try await runPCInit(["--socket", project.directory.path("pcinit.sock"), "status", "--json"])
        #expect(status.status == 0, "\(status)")
        run.send(SIGTERM)
        _ = try await run.wait(timeout: .seconds(15))
    }

    @Test(.needsTools("dash"))
    func statusShowsThePIDOfTheShellsOnlyChild() async throws {
        let project = try ServiceProject(
            "pgstatus",
            """
            \(Self.dash)
            processes:
              api:
                command: '\(Self.drain("api", seconds: 0))'
            """)
        let run = try await ServiceRun.start(project, Self.options(project))
        defer { run.stop() }
        #expect(await run.waitForFile("api.up"), "\(run.transcript)")
        let python = try #require(project.directory.readPID("api.pid"))
        let shell = try #require(run.startedPIDs("api").first)
        #expect(python != shell, "dash did not stay in front; the test shows nothing")
        let status = try await runPCInit(["--socket", project.directory.path("pcinit.sock"), "status", "--json"])
        #expect(status.status == 0, "\(status)")
        let document = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let services = document?["services"] as? [[String: Any]]
        #expect(services?.first?["pid"] as? Int == Int(python), "\(status.stdout)")
    }

    @Test(.needsTools("dash"), .needsPIDNamespace)
    func aLeaderThatLeavesItsGroupRunningHasTheGroupStoppedThenTheRestartPolicy() async throws {
        let project = try ServiceProject(
            "pgleader",
            """
            \(Self.dash)
            processes:
              spawner:
                command: '\(Self.drain("server", seconds: 0)) & while [ ! -e {dir}/server.up ]; do sleep 0.02; done; exit 0'
                availability: {restart: no}
              other:
                command: 'touch {dir}/other.up; \(Snippet.idle)'
            """)
        let run = try await ServiceRun.start(project, Self.options(project), mode: .pid1)
        defer { run.stop() }
        let message = await run.waitForMessage("spawner main process exited 0 while its process group still runs")
        #expect(message != nil, "\(run.transcript)")
        #expect(await run.waitForMessage("spawner exited 0; its process group is gone") != nil, "\(run.transcript)")
        #expect(project.lines("server.terms").count == 1, "the backgrounded server got the stop signal")
        #expect(await run.waitForFile("other.up"))
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace, arguments: [InitMode.pid1, .subreaper])
    func aFrozenServiceStillRunsItsTERMHandler(_ mode: InitMode) async throws {
        let project = try ServiceProject(
            "pgfrozen",
            """
            processes:
              frozen:
                command: ["\(Paths.python3)", "\(Paths.fixture("services/drain.py"))", "frozen", "0", "{dir}"]
                shutdown: {timeout_seconds: 20}
            """)
        let run = try await ServiceRun.start(
            project, Self.options(project), mode: mode, environment: ["PCINIT_STOP_TIMEOUT": "30s"])
        defer { run.stop() }
        #expect(await run.waitForFile("frozen.up"), "\(run.transcript)")
        let python = try #require(project.directory.readPID("frozen.pid"))
        let host = try #require(run.hostPID(python))
        kill(host, SIGSTOP)
        #expect(await Poll.until { ProcFS.state(host) == "T" })
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(30))
        let took = result.ended(after: stop)
        #expect(result.status == 0, "\(result)")
        #expect(project.lines("frozen.terms").count == 1, "the handler ran:\n\(result)")
        #expect(project.exists("frozen.exit"), "the cleanup finished:\n\(result)")
        #expect(took < .seconds(15), "not killed at the 20 s timeout: \(took)")
    }

    @Test(.needsPIDNamespace)
    func aFrozenOrphanStillRunsItsTERMHandler() async throws {
        // The service leaves a stopped grandchild behind in its own session: an orphan at the end.
        let project = try ServiceProject(
            "pgorphan",
            """
            processes:
              leaver:
                command: 'setsid \(Paths.python3) \(Paths.fixture("services/drain.py")) orphan 0 {dir} & while [ ! -e {dir}/orphan.up ]; do sleep 0.02; done; kill -STOP $$(cat {dir}/orphan.pid); touch {dir}/frozen; \(Snippet.idle)'
            """)
        let run = try await ServiceRun.start(
            project, Self.options(project), mode: .pid1,
            environment: ["PCINIT_GRACE": "20s", "PCINIT_STOP_TIMEOUT": "30s"])
        defer { run.stop() }
        #expect(await run.waitForFile("frozen"), "\(run.transcript)")
        let stop = run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(30))
        let took = result.ended(after: stop)
        #expect(result.status == 0, "\(result)")
        #expect(project.lines("orphan.terms").count == 1, "\(result)")
        #expect(project.exists("orphan.exit"), "\(result)")
        #expect(took < .seconds(15), "not killed at the end of the 20 s grace: \(took)")
    }
}
