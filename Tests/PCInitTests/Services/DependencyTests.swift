import Foundation
import Glibc
import Testing

/// `depends_on` with all five conditions, parallel start, skip cascades, service selection, replicas.
@Suite("Services: dependencies", .timeLimit(.minutes(1)))
struct DependencyTests {
    @Test(.needsPIDNamespace)
    func everyConditionHoldsBeforeItsDependentStarts() async throws {
        let project = try ServiceProject(
            "deps",
            """
            processes:
              db:
                command: |
                  trap 'exit 0' TERM
                  sleep 0.3; date +%s.%N > {dir}/db.line; echo 'db accepting connections'
                  while :; do sleep 1 & wait $!; done
                ready_log_line: accepting connections
              migrate:
                command: '\(Snippet.stamp("migrate.start")); sleep 0.2; exit 0'
                depends_on:
                  db: {condition: process_log_ready}
              seed:
                command: '\(Snippet.stamp("seed.start"))'
                depends_on:
                  migrate: {condition: process_completed_successfully}
              cache:
                command: |
                  trap 'exit 0' TERM
                  sleep 0.4; date +%s.%N > {dir}/cache.flag
                  while :; do sleep 1 & wait $!; done
                readiness_probe:
                  exec: {command: 'test -f {dir}/cache.flag'}
                  period_seconds: 1
                  initial_delay_seconds: 0
              api:
                command: '\(Snippet.stamp("api.start")); \(Snippet.idle)'
                depends_on:
                  cache: {condition: process_healthy}
                  seed: {condition: process_completed_successfully}
              watcher:
                command: '\(Snippet.stamp("watcher.start")); \(Snippet.idle)'
                depends_on:
                  db: {condition: process_started}
              failing:
                command: 'sleep 0.2; exit 3'
              report:
                command: '\(Snippet.stamp("report.start"))'
                depends_on:
                  failing: {condition: process_completed}
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("api started") != nil, "\(run.transcript)")
        #expect(await run.waitForMessage("report exited 0") != nil, "\(run.transcript)")
        let log = run.messages
        func before(_ first: String, _ second: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let a = position(of: first, in: log)
            let b = position(of: second, in: log)
            #expect(
                a != nil && b != nil && a! < b!, "'\(first)' must come before '\(second)':\n\(run.transcript)",
                sourceLocation: sourceLocation)
        }
        before("db started", "watcher started")  // process_started
        before("db ready", "migrate started")  // process_log_ready
        before("migrate exited 0", "seed started")  // process_completed_successfully
        before("cache ready", "api started")  // process_healthy
        before("seed exited 0", "api started")
        before("failing exited 3", "report started")  // process_completed holds on a failure too
        // The same, from the services' own clocks.
        let dbLine = try #require(await run.timestamp("db.line"))
        let migrateStart = try #require(await run.timestamp("migrate.start"))
        #expect(migrateStart >= dbLine)
        let cacheFlag = try #require(await run.timestamp("cache.flag"))
        let apiStart = try #require(await run.timestamp("api.start"))
        #expect(apiStart >= cacheFlag)
        // watcher only waited for db's spawn, not for its ready line.
        let watcherStart = try #require(await run.timestamp("watcher.start"))
        #expect(watcherStart < dbLine, "watcher waited for more than process_started")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func independentServicesStartTogether() async throws {
        let project = try ServiceProject(
            "parallel",
            """
            processes:
              one:   {command: '\(Snippet.stamp("one")); sleep 4; \(Snippet.stamp("one.end"))'}
              two:   {command: '\(Snippet.stamp("two")); sleep 4; \(Snippet.stamp("two.end"))'}
              three: {command: '\(Snippet.stamp("three")); sleep 4; \(Snippet.stamp("three.end"))'}
              four:  {command: '\(Snippet.stamp("four")); sleep 4; \(Snippet.stamp("four.end"))'}
            """)
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(30))
        defer { project.killLeftovers() }
        #expect(result.status == 0, "\(result)")
        let starts = try ["one", "two", "three", "four"].map { try #require(project.timestamp($0)) }
        #expect(starts.max()! - starts.min()! < 1.0, "starts spread over \(starts.max()! - starts.min()!) s")
        // On the services' own clocks, from the first start to pcinit's exit once the last one ended.
        let ends = try ["one", "two", "three", "four"].map { try #require(project.timestamp("\($0).end")) }
        #expect(ends.allSatisfy { $0 <= result.endedEpochSeconds + 0.05 }, "pcinit exited before its services ended")
        let took = result.endedEpochSeconds - starts.min()!
        #expect(took < 10, "four 4 s services in parallel took \(took) s (in series: 16 s)")
        let log = ServiceRun.messages(in: result.stderr)
        let lastStart = try #require(log.lastIndex { $0.contains(" started (pid") })
        let firstExit = try #require(log.firstIndex { $0.contains(" exited 0") })
        #expect(lastStart < firstExit, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func aFailureSkipsItsDependentsInACascadeWithTheReason() async throws {
        let project = try ServiceProject(
            "skip",
            """
            processes:
              a:
                command: 'exit 4'
              b:
                command: 'touch {dir}/b.ran'
                depends_on:
                  a: {condition: process_completed_successfully}
              c:
                command: 'touch {dir}/c.ran'
                depends_on:
                  b: {condition: process_completed_successfully}
              probed:
                command: 'sleep 0.3; exit 4'
                readiness_probe:
                  exec: {command: 'false'}
                  period_seconds: 1
              h:
                command: 'touch {dir}/h.ran'
                depends_on:
                  probed: {condition: process_healthy}
              l:
                command: 'touch {dir}/l.ran'
                depends_on:
                  quiet: {condition: process_log_ready}
              quiet:
                command: 'echo not the line'
                ready_log_line: never printed
              ok:
                command: 'true'
            """)
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(20))
        defer { project.killLeftovers() }
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("b skipped: a failed"), "\(result)")
        #expect(log.contains("c skipped: b was skipped"), "\(result)")
        #expect(log.contains("h skipped: probed failed before becoming ready"), "\(result)")
        #expect(log.contains("l skipped: quiet completed before its ready line"), "\(result)")
        for name in ["b", "c", "h", "l"] { #expect(!project.exists("\(name).ran"), "\(name) ran") }
        // Every service ended on its own, some not successfully: 1.
        #expect(result.status == 1, "\(result)")
        #expect(log.last == "all services finished", "\(result)")
    }

    @Test(.needsPIDNamespace)
    func exitOnSkippedEndsTheRunWithOne() async throws {
        let project = try ServiceProject(
            "exitskip",
            """
            processes:
              a:
                command: 'sleep 0.2; \(Snippet.stamp("a.exit")); exit 1'
              b:
                command: 'true'
                depends_on:
                  a: {condition: process_completed_successfully}
              c:
                command: 'true'
                depends_on:
                  b: {condition: process_completed_successfully}
                availability:
                  exit_on_skipped: true
              long:
                command: '\(Snippet.idle)'
            """)
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(20))
        defer { project.killLeftovers() }
        let log = ServiceRun.messages(in: result.stderr)
        #expect(result.status == 1, "\(result)")
        #expect(log.contains("c skipped: b was skipped"), "\(result)")
        #expect(log.contains("stopping all services: c was skipped (exit_on_skipped)"), "\(result)")
        #expect(log.contains { $0.hasPrefix("long stopped") }, "\(result)")
        // From a's failure (which skips c and so starts the stop) to pcinit's exit.
        let stop = try #require(project.timestamp("a.exit"), "\(result)")
        let took = result.endedEpochSeconds - stop
        #expect(took < 8, "stopped \(took) s after a failed: well inside the 10 s stop budget\n\(result)")
    }

    @Test(.needsPIDNamespace)
    func namingAServiceRunsOnlyItAndItsDependencies() async throws {
        let project = try ServiceProject(
            "select",
            """
            processes:
              db:
                command: 'touch {dir}/db.ran; \(Snippet.idle)'
              web:
                command: 'touch {dir}/web.ran; \(Snippet.idle)'
                depends_on:
                  db: {condition: process_started}
              worker:
                command: 'touch {dir}/worker.ran; \(Snippet.idle)'
              admin:
                command: 'touch {dir}/admin.ran; \(Snippet.idle)'
                disabled: true
            """)
        do {
            let run = try await ServiceRun.start(project, ["web"], mode: .pid1)
            defer { run.stop() }
            #expect(await run.waitForFile("web.ran"), "\(run.transcript)")
            #expect(await run.waitForFile("db.ran"))
            // Not a race: worker would have started with db (neither waits for anything); give it a moment.
            try await Task.sleep(for: .milliseconds(300))
            #expect(!project.exists("worker.ran"), "worker is not a dependency of web")
            #expect(!project.exists("admin.ran"))
            run.send(SIGTERM)
            let result = try await run.wait(timeout: .seconds(15))
            #expect(result.status == 0, "\(result)")
            #expect(!run.messages.contains { $0.hasPrefix("worker") || $0.hasPrefix("admin") }, "\(result)")
        }
        // Without names: every enabled service, the disabled one not.
        do {
            let run = try await ServiceRun.start(project, mode: .pid1)
            defer { run.stop() }
            #expect(await run.waitForFile("worker.ran"), "\(run.transcript)")
            #expect(await run.waitForFile("web.ran"))
            // Not a race: admin would have started with the others; give it a moment to show up.
            try await Task.sleep(for: .milliseconds(300))
            #expect(!project.exists("admin.ran"), "a disabled service started")
            run.send(SIGTERM)
            #expect(try await run.wait(timeout: .seconds(15)).status == 0)
        }
        // A disabled service runs when named.
        do {
            let run = try await ServiceRun.start(project, ["admin"], mode: .pid1)
            defer { run.stop() }
            #expect(await run.waitForFile("admin.ran"), "\(run.transcript)")
            run.send(SIGTERM)
            #expect(try await run.wait(timeout: .seconds(15)).status == 0)
        }
    }

    @Test func anUnknownServiceNameIsAUsageError() async throws {
        let project = try ServiceProject("unknown", "processes:\n  web: {command: 'touch {dir}/web.ran'}\n")
        let result = try await runPCInit(project.arguments(["nope"]), workingDirectory: project.path)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("nope"), "\(result)")
        #expect(!project.exists("web.ran"))
    }

    @Test(.needsPIDNamespace)
    func replicasRunThreeCopiesNamedWithTheirIndex() async throws {
        let project = try ServiceProject(
            "replicas",
            """
            processes:
              x:
                command: 'echo "$PC_REPLICA_NUM" > {dir}/replica-$PC_REPLICA_NUM; echo "i am $PC_REPLICA_NUM"'
                replicas: 3
            """)
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        for index in 0..<3 {
            #expect(log.contains { $0.hasPrefix("x-\(index) started (pid ") }, "\(result)")
            #expect(log.contains("x-\(index) exited 0"), "\(result)")
            #expect(project.read("replica-\(index)") == "\(index)\n")
            #expect(result.stdoutLines.contains("x-\(index)    | i am \(index)"), "\(result)")
        }
        #expect(!log.contains { $0.hasPrefix("x-3") })
    }
}
