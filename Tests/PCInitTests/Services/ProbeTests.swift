import Foundation
import Glibc
import Testing

/// Readiness (exec, tcp_socket, http_get) going ready, failing and recovering; liveness restarts;
/// ready_log_line; sd_notify with a real redis-server.
@Suite("Services: probes and readiness", .timeLimit(.minutes(1)))
struct ProbeTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case exec, tcp, http
        var testDescription: String { rawValue }
    }

    /// The target service and its readiness probe; readiness follows `{dir}/healthy`.
    private func target(_ kind: Kind, port: UInt16) -> String {
        let server = "[\"\(Paths.python3)\", \"\(Paths.fixture("services/toggle_server.py"))\""
        switch kind {
        case .exec:
            return """
                  target:
                    command: '\(Snippet.idle)'
                    readiness_probe:
                      exec: {command: 'test -f {dir}/healthy'}
                      period_seconds: 1
                      failure_threshold: 1
                """
        case .tcp:
            return """
                  target:
                    command: \(server), "tcp", "\(port)", "{dir}/healthy"]
                    readiness_probe:
                      tcp_socket: {host: 127.0.0.1, port: \(port)}
                      period_seconds: 1
                      failure_threshold: 1
                """
        case .http:
            return """
                  target:
                    command: \(server), "http", "\(port)", "{dir}/healthy"]
                    readiness_probe:
                      http_get: {host: 127.0.0.1, port: \(port), path: /healthz}
                      period_seconds: 1
                      failure_threshold: 1
                """
        }
    }

    @Test(.needsPIDNamespace, arguments: Kind.allCases)
    func readinessGoesReadyIsLostAndRecoversWithoutARestart(_ kind: Kind) async throws {
        let port = freeTCPPort()
        let project = try ServiceProject(
            "ready-\(kind)",
            """
            processes:
            \(target(kind, port: port))
              dependent:
                command: '\(Snippet.stamp("dependent.start")); \(Snippet.idle)'
                depends_on:
                  target: {condition: process_healthy}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("target started") != nil, "\(run.transcript)")
        // Not healthy yet: the first checks fail, nothing is ready, the dependent waits.
        #expect(
            await run.waitForMessage("target readiness check failed", timeout: .seconds(5)) != nil, "\(run.transcript)")
        // Not a race: nothing may change while {dir}/healthy is missing; 1.2 s spans another failing check.
        try await Task.sleep(for: .milliseconds(1200))
        #expect(!run.messages.contains("target ready"), "\(run.transcript)")
        #expect(!project.exists("dependent.start"), "the dependent started before target was healthy")

        let readyAt = Date().timeIntervalSince1970
        try project.directory.write("healthy", "")
        #expect(await run.waitForMessage("target ready", timeout: .seconds(4)) != nil, "\(run.transcript)")
        #expect(await run.waitForFile("dependent.start", timeout: .seconds(4)))
        #expect((await run.timestamp("dependent.start") ?? 0) >= readyAt)

        unlink(project.directory.path("healthy"))
        let lost = await run.waitForMessage("target not ready", timeout: .seconds(4))
        #expect(lost?.hasPrefix("target not ready (readiness check failed 1 time") == true, "\(run.transcript)")

        try project.directory.write("healthy", "")
        #expect(await run.waitForMessages("target ready", count: 2, timeout: .seconds(4)), "\(run.transcript)")
        // Readiness failures never restart: one process all along.
        #expect(run.startedPIDs("target").count == 1, "\(run.transcript)")
        #expect(run.startedPIDs("dependent").count == 1, "\(run.transcript)")

        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func livenessFailureRestartsTheServiceWithANewPID() async throws {
        let project = try ServiceProject(
            "liveness",
            """
            processes:
              live:
                command: 'touch {dir}/alive; \(Snippet.stamp("runs")); \(Snippet.idle)'
                liveness_probe:
                  exec: {command: 'test -f {dir}/alive'}
                  initial_delay_seconds: 1
                  period_seconds: 1
                  failure_threshold: 1
                availability: {restart: on_failure, backoff_seconds: 1}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("live started") != nil, "\(run.transcript)")
        #expect(await run.waitForFile("alive"))
        // Not a race: nothing may happen while the probe passes; 1.5 s spans at least one passing check.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(!run.messages.contains { $0.contains("liveness") }, "\(run.transcript)")
        let firstPID = try #require(run.startedPIDs("live").first)
        let firstHostPID = try #require(run.hostPID(firstPID))

        unlink(project.directory.path("alive"))
        let failure = await run.waitForMessage("live liveness check failed", timeout: .seconds(4))
        #expect(failure?.hasPrefix("live liveness check failed 1 time") == true, "\(run.transcript)")
        #expect(await run.waitForMessage("live stopping (SIGTERM)") != nil, "\(run.transcript)")
        #expect(await run.waitForMessage("restarting in 1s") != nil, "\(run.transcript)")
        #expect(await run.waitForMessages("live started", count: 2, timeout: .seconds(5)), "\(run.transcript)")
        let pids = run.startedPIDs("live")
        #expect(pids.count == 2 && pids[0] != pids[1], "\(run.transcript)")
        #expect(ProcFS.isGone(firstHostPID), "the failed process \(firstHostPID) is still there")
        #expect(await run.waitForLines("runs", count: 2), "the restarted process did not run")
        // The new process recreated the file: it stays up (not a race: nothing may happen for 2.5 s, two
        // passing checks).
        try await Task.sleep(for: .milliseconds(2500))
        #expect(run.startedPIDs("live").count == 2, "\(run.transcript)")

        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func readyLogLineMakesTheServiceReadyForProcessHealthy() async throws {
        let project = try ServiceProject(
            "readyline",
            """
            processes:
              db:
                command: 'sleep 0.5; \(Snippet.stamp("line")); echo "LOG: ready for connections"; \(Snippet.idle)'
                ready_log_line: ready for connections
              app:
                command: '\(Snippet.stamp("app.start")); \(Snippet.idle)'
                depends_on:
                  db: {condition: process_healthy}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("app started") != nil, "\(run.transcript)")
        let log = run.messages
        #expect(
            (position(of: "db ready", in: log) ?? .max) < (position(of: "app started", in: log) ?? -1),
            "\(run.transcript)")
        let appStart = try #require(await run.timestamp("app.start"))
        #expect(appStart >= (project.timestamp("line") ?? .infinity))
        #expect(run.stdout.contains("db     | LOG: ready for connections"), "\(run.transcript)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    @Test(.needsPIDNamespace, .needsTools("redis-server"))
    func redisWithSupervisedSystemdBecomesReadyViaSdNotify() async throws {
        let port = freeTCPPort()
        // A name no other test uses: notify sockets are named after the service.
        let name = "kv\(UInt16.random(in: 1000...9999))"
        let project = try ServiceProject(
            "redis",
            """
            processes:
              \(name):
                command: ["redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--supervised", "systemd", "--dir", "{dir}"]
                notify: true
                shutdown: {timeout_seconds: 5}
              client:
                command: ["\(Paths.python3)", "\(Paths.fixture("services/redis_ping.py"))", "\(port)", "{dir}/ping"]
                depends_on:
                  \(name): {condition: process_healthy}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("\(name) ready") != nil, "\(run.transcript)")
        #expect(await run.waitForLines("ping", count: 1), "\(run.transcript)")
        #expect(project.read("ping") == "+PONG\n", "the dependent started before redis accepted connections")
        let log = run.messages
        #expect(
            (position(of: "\(name) ready", in: log) ?? .max) < (position(of: "client started", in: log) ?? -1),
            "\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("\(name) stopped (exited 0)"), "redis shuts down cleanly on TERM\n\(result)")
    }

    @Test(.needsPIDNamespace)
    func notifyServiceIsNotReadyUntilItSendsREADY() async throws {
        let name = "nt\(UInt16.random(in: 1000...9999))"
        let project = try ServiceProject(
            "notify",
            """
            processes:
              \(name):
                command: ["\(Paths.python3)", "\(Paths.fixture("services/notify_ready.py"))", "1.5", "{dir}/sent"]
                notify: true
              after:
                command: '\(Snippet.stamp("after.start")); \(Snippet.idle)'
                depends_on:
                  \(name): {condition: process_healthy}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("\(name) started") != nil, "\(run.transcript)")
        // Not a race: a look while the service still waits 1.5 s before READY=1; the timestamps below are
        // the real check.
        try await Task.sleep(for: .milliseconds(500))
        #expect(project.exists("sent") || !project.exists("after.start"), "dependent started before READY=1")
        #expect(await run.waitForMessage("\(name) ready", timeout: .seconds(5)) != nil, "\(run.transcript)")
        let sent = try #require(await run.timestamp("sent"))
        let after = try #require(await run.timestamp("after.start"), "\(run.transcript)")
        #expect(after >= sent, "the dependent started before READY=1 was sent")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }

    /// Two pcinits on one host (same /run) whose notify services have the same name: each must get its own
    /// service's READY=1.
    @Test(.needsPIDNamespace)
    func twoPCInitsWithSameNamedNotifyServicesDoNotStealEachOthersSocket() async throws {
        let yaml = """
            processes:
              notified:
                command: ["\(Paths.python3)", "\(Paths.fixture("services/notify_ready.py"))", "3"]
                notify: true
            """
        let first = try await ServiceRun.start(try ServiceProject("notify-a", yaml), mode: .pid1)
        defer { first.stop() }
        #expect(await first.waitForMessage("notified started") != nil, "\(first.transcript)")
        let second = try await ServiceRun.start(try ServiceProject("notify-b", yaml), mode: .pid1)
        defer { second.stop() }
        #expect(await second.waitForMessage("notified started") != nil, "\(second.transcript)")
        // Each pcinit must see its own service's READY=1 (a stolen datagram never arrives: the wait times out).
        let firstReady = await first.waitForMessage("notified ready", timeout: .seconds(10)) != nil
        let secondReady = await second.waitForMessage("notified ready", timeout: .seconds(10)) != nil
        #expect(firstReady, "first pcinit:\n\(first.transcript)")
        #expect(secondReady, "second pcinit:\n\(second.transcript)")
    }

    /// The ready line may arrive in two writes (a buffered logger flushing mid-line).
    @Test(.needsPIDNamespace)
    func aReadyLogLineWrittenInTwoPiecesIsStillSeen() async throws {
        let project = try ServiceProject(
            "readytwo",
            """
            processes:
              db:
                command: 'printf "LOG: ready for "; sleep 0.3; printf "connections\\n"; \(Snippet.idle)'
                ready_log_line: ready for connections
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("db started") != nil, "\(run.transcript)")
        let ready = await run.waitForMessage("db ready", timeout: .seconds(3)) != nil
        #expect(ready, "\(run.transcript)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }
}
