import Foundation
import Glibc
import Testing

/// Operating a running pcinit from another terminal: reload, scale, signal, down, events, and the
/// process-compose spellings a migrating user types.
@Suite("Operate a running pcinit", .timeLimit(.minutes(1)))
struct OperateTests {
    static func socket(_ project: ServiceProject) -> String { project.directory.path("pcinit.sock") }

    /// `pcinit --socket SOCKET ARGS…`
    static func cli(_ project: ServiceProject, _ arguments: [String]) async throws -> RunResult {
        try await runPCInit(["--socket", socket(project)] + arguments)
    }

    static func start(_ project: ServiceProject, mode: InitMode = .subreaper, health: UInt16? = nil) async throws
        -> ServiceRun
    {
        let address = health.map { "127.0.0.1:\($0)" } ?? "off"
        return try await ServiceRun.start(project, ["--socket", socket(project), "--health-addr", address], mode: mode)
    }

    /// Each service's pid as `status --json` shows it.
    static func pids(_ project: ServiceProject) async throws -> [String: Int] {
        let status = try await cli(project, ["status", "--json"])
        guard let document = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
            let services = document["services"] as? [[String: Any]]
        else { return [:] }
        var pids: [String: Int] = [:]
        for service in services {
            if let name = service["name"] as? String, let pid = service["pid"] as? Int { pids[name] = pid }
        }
        return pids
    }

    static func idle(_ name: String) -> String { "touch {dir}/\(name).up; \(Snippet.idle)" }

    @Test(.needsPIDNamespace, arguments: [InitMode.pid1, .subreaper])
    func reloadRestartsExactlyWhatChangedAddsRemovesAndRefusesABrokenConfig(_ mode: InitMode) async throws {
        let project = try ServiceProject(
            "reload",
            """
            processes:
              api:
                command: 'echo "$$SECRET" >> {dir}/api.secrets; \(Snippet.idle)'
                env_file: {dir}/secrets.env
              db:
                command: '\(Self.idle("db"))'
              old:
                command: '\(Self.idle("old"))'
            """)
        try project.directory.write("secrets.env", "SECRET=one\n")
        let run = try await Self.start(project, mode: mode)
        defer { run.stop() }
        #expect(await run.waitForFiles(["db.up", "old.up"]))
        #expect(await run.waitForLines("api.secrets", count: 1))
        let before = try await Self.pids(project)

        // Rotate the secret: only the service that reads the env_file restarts.
        try project.directory.write("secrets.env", "SECRET=two\n")
        let rotated = try await Self.cli(project, ["reload"])
        #expect(rotated.status == 0, "\(rotated)")
        #expect(rotated.stdoutLines.filter { !$0.isEmpty } == ["restarted api: environment changed"], "\(rotated)")
        #expect(await run.waitForLines("api.secrets", count: 2), "\(run.transcript)")
        #expect(project.lines("api.secrets") == ["one", "two"])
        let after = try await Self.pids(project)
        #expect(after["db"] == before["db"] && after["old"] == before["old"], "\(before) → \(after)")
        #expect(after["api"] != before["api"])

        // Remove one, add one, through process-compose's spelling.
        try project.directory.write(
            "process-compose.yml",
            project.substitute(
                """
                processes:
                  api:
                    command: 'echo "$$SECRET" >> {dir}/api.secrets; \(Snippet.idle)'
                    env_file: {dir}/secrets.env
                  db:
                    command: '\(Self.idle("db"))'
                  new:
                    command: '\(Self.idle("new"))'
                """))
        let reshaped = try await Self.cli(project, ["project", "update"])
        #expect(reshaped.status == 0, "\(reshaped)")
        #expect(Set(reshaped.stdoutLines.filter { !$0.isEmpty }) == ["removed old", "added new"], "\(reshaped)")
        #expect(await run.waitForFile("new.up"), "\(run.transcript)")
        #expect(await run.waitForMessage("old stopped") != nil, "\(run.transcript)")
        let names = Set(try await Self.pids(project).keys)
        #expect(names == ["api", "db", "new"], "\(names)")

        // A broken file changes nothing and says where.
        try project.directory.write("process-compose.yml", "processes:\n  api:\n    command: [unclosed\n")
        let broken = try await Self.cli(project, ["reload"])
        #expect(broken.status == 2, "\(broken)")
        #expect(broken.stderr.contains("process-compose.yml:"), "file:line:col: \(broken)")
        #expect(broken.stderr.contains("nothing was changed"), "\(broken)")
        #expect(Set(try await Self.pids(project).keys) == ["api", "db", "new"])

        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func scaleOneToThreeToOneKeepsTheSurvivingPids() async throws {
        let project = try ServiceProject(
            "scale",
            """
            processes:
              web:
                command: 'echo "$$PC_REPLICA_NUM" >> {dir}/replicas; \(Snippet.idle)'
            """)
        let run = try await Self.start(project)
        defer { run.stop() }
        #expect(await run.waitForLines("replicas", count: 1))
        let first = try #require(try await Self.pids(project)["web"])

        let up = try await Self.cli(project, ["scale", "web=3"])
        #expect(up.status == 0, "\(up)")
        #expect(await run.waitForLines("replicas", count: 3), "\(run.transcript)")
        #expect(project.lines("replicas").sorted() == ["0", "1", "2"])
        let three = try await Self.pids(project)
        #expect(Set(three.keys) == ["web-0", "web-1", "web-2"], "\(three)")
        #expect(three["web-0"] == first, "the first replica kept its process under its new name")

        let down = try await Self.cli(project, ["process", "scale", "web", "1"])
        #expect(down.status == 0, "\(down)")
        #expect(await run.waitForMessages("stopped", count: 2), "\(run.transcript)")
        let one = try await Self.pids(project)
        #expect(one == ["web": first], "\(one)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func scaledReplicasAreRenderedForTheirIndex() async throws {
        let project = try ServiceProject(
            "scaletemplate",
            """
            processes:
              web:
                command: 'echo "port 80{{.PC_REPLICA_NUM}}" >> {dir}/ports; \(Snippet.idle)'
            """)
        let run = try await Self.start(project)
        defer { run.stop() }
        #expect(await run.waitForLines("ports", count: 1))
        let up = try await Self.cli(project, ["scale", "web=3"])
        #expect(up.status == 0, "\(up)")
        #expect(await run.waitForLines("ports", count: 3), "\(run.transcript)")
        #expect(project.lines("ports").sorted() == ["port 800", "port 801", "port 802"])
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func eventsSeeEveryTransitionOfARestartAndEndWhenPCInitExits() async throws {
        let project = try ServiceProject(
            "events",
            """
            processes:
              web:
                command: '\(Self.idle("web"))'
            """)
        let run = try await Self.start(project)
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"))
        let events = try Subprocess(
            [Paths.pcinit, "--socket", Self.socket(project), "events", "--json", "web"])
        defer { events.killTree() }
        #expect(await Poll.until { events.stdout.contains("\"kind\":\"snapshot\"") }, "\(events.stderr)")
        let restart = try await Self.cli(project, ["restart", "web"])
        #expect(restart.status == 0, "\(restart)")
        #expect(await Poll.until { events.stdout.components(separatedBy: "\"state\":\"running\"").count >= 3 })
        run.send(SIGTERM)
        _ = try await run.wait(timeout: .seconds(15))
        let ended = try await events.wait(timeout: .seconds(10))
        #expect(ended.status == 0, "events ends with pcinit: \(ended)")
        let lines = ended.stdoutLines.filter { !$0.isEmpty }
        let parsed = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed.count == lines.count, "one JSON object per line")
        let states = parsed.compactMap { $0["state"] as? String }
        #expect(
            states == ["running", "stopping", "starting", "running", "stopping", "stopped"],
            "snapshot, the restart, the stop: \(states)")
        #expect(parsed.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true && $0["name"] as? String == "web" })
        let pids = Set(parsed.compactMap { $0["pid"] as? Int })
        #expect(pids.count == 2, "two processes: \(pids)")
    }

    @Test func theEventStreamIsServedAsServerSentEvents() async throws {
        let port = freeTCPPort()
        let project = try ServiceProject(
            "sse",
            """
            processes:
              web:
                command: '\(Self.idle("web"))'
            """)
        let run = try await Self.start(project, health: port)
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"))
        // Generous bounds: on a loaded machine (two CPU hogs and the 10,000-orphan test beside it) a restart and
        // its events can take seconds; curl's own limit only ends a stream that never closes.
        let curl = try Subprocess(["curl", "-sN", "-m", "60", "http://127.0.0.1:\(port)/events"])
        defer { curl.killTree() }
        #expect(await Poll.until(timeout: .seconds(30)) { curl.stdout.contains("data: {") }, "\(curl.stderr)")
        _ = try await Self.cli(project, ["restart", "web"])
        #expect(
            await Poll.until(timeout: .seconds(30)) {
                curl.stdout.components(separatedBy: "\"state\":\"running\"").count >= 3
            },
            "\(curl.stdout)")
        let frames = curl.stdout.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(frames.allSatisfy { $0.hasPrefix("data: {") && $0.hasSuffix("}") }, "\(frames)")
        run.send(SIGTERM)
        _ = try await run.wait(timeout: .seconds(15))
    }

    @Test(.needsPIDNamespace) func downReturnsOnceEverythingIsGone() async throws {
        let project = try ServiceProject(
            "down",
            """
            processes:
              slow:
                command: 'trap "sleep 1; touch {dir}/slow.done; exit 0" TERM; touch {dir}/slow.up; while :; do sleep 1 & wait $$!; done'
            """)
        let run = try await Self.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForFile("slow.up"))
        let down = try await Self.cli(project, ["down"])
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("pcinit exited 0"), "\(down)")
        #expect(project.exists("slow.done"), "down returned before the service's cleanup finished")
        let left = ProcFS.pids(withEnvironmentEntry: run.pcinit.process.tag).filter(ProcFS.isAlive)
        #expect(left.isEmpty, "left running: \(left)")
        #expect(try await run.wait(timeout: .seconds(5)).status == 0)
    }

    @Test func signalReachesTheServicesGroupAndBadInputChangesNothing() async throws {
        let project = try ServiceProject(
            "signal",
            """
            processes:
              web:
                command: 'trap "touch {dir}/usr1" USR1; \(Self.idle("web"))'
            """)
        let run = try await Self.start(project)
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"))
        let sent = try await Self.cli(project, ["signal", "web", "USR1"])
        #expect(sent.status == 0 && sent.stdout.contains("sent SIGUSR1 to web"), "\(sent)")
        #expect(await run.waitForFile("usr1"))

        for (arguments, code) in [
            (["signal", "web", "SIGFOO"], Int32(2)), (["scale", "web=-1"], 2), (["scale", "web=abc"], 2),
            (["restart", "nope"], 1), (["signal", "nope", "HUP"], 1), (["scale", "nope=2"], 1),
        ] {
            let result = try await Self.cli(project, arguments)
            #expect(result.status == code, "\(arguments): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(arguments): \(result.stderr)")
        }
        #expect(try await Self.pids(project).keys.sorted() == ["web"])
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func statusDuringAStopShowsWhatHoldsItUpAndReloadIsRefused() async throws {
        let project = try ServiceProject(
            "holdup",
            """
            processes:
              deaf:
                command: 'trap "" TERM; touch {dir}/deaf.up; while :; do sleep 1 & wait $$!; done'
                shutdown: {timeout_seconds: 50}
            """)
        let run = try await ServiceRun.start(
            project, ["--socket", Self.socket(project), "--health-addr", "off"],
            environment: ["PCINIT_STOP_TIMEOUT": "100s"])
        defer { run.stop() }
        #expect(await run.waitForFile("deaf.up"))
        run.send(SIGTERM)
        #expect(await run.waitForMessage("deaf stopping") != nil)
        let status = try await Self.cli(project, ["status"])
        #expect(status.status == 0, "\(status)")
        // The countdown of its 50 s timeout (shown in seconds under a minute), whatever a loaded machine made the
        // status request wait.
        let countdown = status.stdout.split(separator: "\n").first { $0.hasPrefix("deaf: stopping, SIGKILL in ") }
        let left = countdown.flatMap { Double($0.dropFirst("deaf: stopping, SIGKILL in ".count).dropLast()) }
        #expect(left.map { $0 > 0 && $0 <= 50 } == true, "a countdown from 50 s: \(status.stdout)")
        let reload = try await Self.cli(project, ["reload"])
        #expect(reload.status == 1 && reload.stderr.contains("pcinit is stopping"), "\(reload)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func processComposeSpellingsWork() async throws {
        let project = try ServiceProject(
            "spelling",
            """
            processes:
              web:
                command: '\(Self.idle("web"))'
            """)
        let run = try await ServiceRun.start(
            project, ["--socket", Self.socket(project), "--health-addr", "off", "-t=false"])
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"), "\(run.transcript)")
        let list = try await Self.cli(project, ["process", "list", "-o", "json"])
        #expect(list.status == 0 && list.stdout.contains("\"services\""), "\(list)")
        let restart = try await Self.cli(project, ["process", "restart", "web"])
        #expect(restart.status == 0, "\(restart)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)

        // `up` runs like plain pcinit.
        try project.directory.write(
            "once.yml", "processes:\n  once:\n    command: 'echo once ran'\n")
        let up = try await runPCInit(
            ["up", "-f", project.directory.path("once.yml"), "--tui=false", "--socket", Self.socket(project)],
            workingDirectory: project.path, timeout: .seconds(20))
        #expect(up.status == 0 && up.stdout.contains("once ran"), "\(up)")
    }

    @Test func aProgramWhereServicesAreExpectedRunsAsTheMainCommand() async throws {
        let project = try ServiceProject(
            "dockerhabit",
            """
            processes:
              web:
                command: '\(Self.idle("web"))'
            """)
        // `docker run IMAGE sh -c '…'` with the config in the image's working directory.
        let result = try await runPCInit(
            ["--socket", Self.socket(project), "sh", "-c", "test -e {dir}/web.up || sleep 1; echo from-main"].map {
                project.substitute($0)
            },
            workingDirectory: project.path, timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("from-main"), "\(result)")
        #expect(result.stderr.contains("sh is no service of the config but a program"), "\(result)")
    }

    @Test func sighupReloadsWhenTheConfigSaysSo() async throws {
        let project = try ServiceProject(
            "sighup",
            """
            x-pcinit: {sighup: reload}
            processes:
              web:
                command: '\(Self.idle("web"))'
            """)
        let run = try await Self.start(project)
        defer { run.stop() }
        #expect(await run.waitForFile("web.up"))
        try project.directory.write(
            "process-compose.yml",
            project.substitute(
                """
                x-pcinit: {sighup: reload}
                processes:
                  web:
                    command: '\(Self.idle("web"))'
                  added:
                    command: '\(Self.idle("added"))'
                """))
        run.send(SIGHUP)
        #expect(await run.waitForFile("added.up"), "\(run.transcript)")
        #expect(run.messages.contains("reload: added added"), "\(run.transcript)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }
}
