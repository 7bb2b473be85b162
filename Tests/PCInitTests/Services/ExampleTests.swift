import Foundation
import Glibc
import Testing

/// The README's examples, run for real from the repository root.
@Suite("Services: examples", .timeLimit(.minutes(1)))
struct ExampleTests {
    /// Processes of the web stack, by what their command lines carry.
    private static let webStackMarkers = ["16379", "pcinit-web-stack", "examples/web-stack/app.py"]

    private static func webStackProcesses() -> [pid_t] {
        webStackMarkers.flatMap { ProcFS.pids(commandLineContaining: $0) }.filter { pid in
            // Not this test's pcinit (its argv names the config, not these markers) nor a zombie.
            ProcFS.isAlive(pid)
        }
    }

    @Test(.needsTools("redis-server", "nginx", "python3"))
    func webStackServesHitsAndStopsCleanly() async throws {
        for port: UInt16 in [16379, 18080, 18081] where portIsOpen(port) {
            Issue.record("port \(port) is in use: the web-stack example needs it")
            return
        }
        let leftovers = Self.webStackProcesses()
        #expect(leftovers.isEmpty, "web-stack processes from an earlier run: \(leftovers)")
        let pcinit = try await RunningInit.start(
            ["-f", "examples/web-stack/process-compose.yml"], mode: .subreaper,
            environment: .clean.with(["PCINIT_STOP_TIMEOUT": "8s"]), workingDirectory: repositoryRoot)
        defer {
            pcinit.killTree()
            for pid in Self.webStackProcesses() { kill(pid, SIGKILL) }
        }
        let messages = { ServiceRun.messages(in: pcinit.process.stderr) }
        let proxyReady = await Poll.until(timeout: .seconds(30), every: .milliseconds(50)) {
            messages().contains("proxy ready") || !pcinit.process.isRunning
        }
        #expect(proxyReady && messages().contains("proxy ready"), "\(pcinit.process.stderr)")
        let log = messages()
        #expect(log.contains("redis ready"), "redis is ready via sd_notify\n\(log)")
        #expect(log.contains("app ready"), "\(log)")
        #expect((position(of: "redis ready", in: log) ?? .max) < (position(of: "app started", in: log) ?? -1))
        #expect((position(of: "app ready", in: log) ?? .max) < (position(of: "proxy started", in: log) ?? -1))

        let first = httpGet(port: 18080) ?? ""
        let second = httpGet(port: 18080) ?? ""
        #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
        let hits = [first, second].compactMap { response -> Int? in
            // The body, after the blank line ("\r\n" is one Character: split the text, not characters).
            guard
                let body = response.components(separatedBy: "\r\n\r\n").last?
                    .trimmingCharacters(in: .whitespacesAndNewlines), body.hasPrefix("hits: ")
            else { return nil }
            return Int(body.dropFirst("hits: ".count))
        }
        #expect(hits.count == 2 && hits[1] == hits[0] + 1, "responses:\n\(first)\n\(second)")

        pcinit.send(SIGTERM)
        let result = try await pcinit.wait(timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        let final = ServiceRun.messages(in: result.stderr)
        #expect(final.contains("proxy stopping (SIGQUIT)"), "\(result.stderr)")
        for name in ["proxy", "redis"] {
            #expect(final.contains("\(name) stopped (exited 0)"), "\(name) did not stop cleanly:\n\(result.stderr)")
        }
        #expect(final.contains { $0.hasPrefix("app stopped") }, "\(result.stderr)")
        // proxy stops before app, app before redis.
        let order = ["proxy stopped", "app stopped", "redis stopped"].map { position(of: $0, in: final) ?? -1 }
        #expect(order == order.sorted() && !order.contains(-1), "\(final)")
        let survivors = Self.webStackProcesses()
        #expect(survivors.isEmpty, "left running: \(survivors.map { ProcFS.commandLine($0) ?? [] })")
    }

    @Test(.needsPIDNamespace)
    func quickstartReachesEveryStateAndStopsOnSIGINT() async throws {
        let pcinit = try await RunningInit.start(
            ["-f", "examples/quickstart/process-compose.yml"], mode: .pid1,
            environment: .clean.with(["PCINIT_HEALTH_ADDR": "off"]), workingDirectory: repositoryRoot)
        defer { pcinit.killTree() }
        let messages = { ServiceRun.messages(in: pcinit.process.stderr) }
        for expected in [
            "database ready", "migrate exited 0", "app ready", "worker exited 1, restarting in 1s",
        ] {
            let seen = await Poll.until(timeout: .seconds(20), every: .milliseconds(50)) {
                messages().contains { $0.hasPrefix(expected) }
            }
            #expect(seen, "never saw '\(expected)':\n\(pcinit.process.stderr)")
        }
        let log = messages()
        #expect((position(of: "database ready", in: log) ?? .max) < (position(of: "migrate started", in: log) ?? -1))
        #expect((position(of: "migrate exited 0", in: log) ?? .max) < (position(of: "app started", in: log) ?? -1))
        #expect((position(of: "app ready", in: log) ?? .max) < (position(of: "worker started", in: log) ?? -1))
        #expect(
            pcinit.process.stdout.contains("app      | hello from pcinit: app listening"), "\(pcinit.process.stdout)")

        pcinit.send(SIGINT)
        let result = try await pcinit.wait(timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("pcinit   | stopping all services: SIGINT received"), "\(result)")
        #expect(result.stdout.contains("app draining"), "\(result)")
        #expect(result.stdout.contains("database shutting down cleanly"), "\(result)")
    }
}
