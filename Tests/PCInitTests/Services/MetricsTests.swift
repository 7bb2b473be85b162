import Foundation
import Glibc
import Testing

/// What dashboards read from a running pcinit: `GET /metrics` and `pcinit status` show a service's state, start
/// time, CPU and memory with plausible values, read only when asked.
@Suite("Services: metrics and status", .timeLimit(.minutes(1)))
struct MetricsTests {
    /// The samples of one family: label text (`service="web",state="running"`) to value.
    static func samples(_ family: String, in text: String) -> [String: Double] {
        var found: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(family + "{") {
            let labels = line.dropFirst(family.count + 1).prefix { $0 != "}" }
            found[String(labels)] = line.split(separator: " ").last.flatMap { Double($0) }
        }
        return found
    }

    @Test func metricsAndStatusShowStateStartTimeCPUAndMemory() async throws {
        // burner: a child burns CPU (the shell waits for it, so it counts), then the shell holds 16 MB.
        let project = try ServiceProject(
            "metrics",
            """
            processes:
              burner:
                command: '(i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done); x=$(head -c 16000000 /dev/zero | tr "\\0" x); touch {dir}/burned; trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'
              oneshot:
                command: 'true'
              extra:
                command: 'touch {dir}/extra.ran; \(Snippet.idle)'
            """)
        let port = freeTCPPort()
        let socket = project.directory.path("pcinit.sock")
        let run = try await ServiceRun.start(
            project, ["--socket", socket, "--health-addr", "127.0.0.1:\(port)", "burner", "oneshot"])
        defer { run.stop() }
        #expect(await run.waitForFile("burned", timeout: .seconds(30)), "\(run.transcript)")
        #expect(await run.waitForMessage("oneshot exited 0") != nil, "\(run.transcript)")
        // The shell has the 16 MB string once `touch` ran; give /proc a moment to show it settled.
        try await Task.sleep(for: .milliseconds(100))

        let response = try #require(httpGet(port: port, path: "/metrics"), "no answer on :\(port)")
        #expect(response.hasPrefix("HTTP/1.1 200"), "\(response)")
        let now = Date().timeIntervalSince1970

        let states = Self.samples("pcinit_service_state", in: response)
        for name in ["burner", "oneshot", "extra"] {
            let own = states.filter { $0.key.hasPrefix("service=\"\(name)\",") }
            #expect(own.values.reduce(0, +) == 1, "\(name): \(own)")
            #expect(own.count > 10, "one series per state: \(own)")
        }
        #expect(states[#"service="burner",state="running""#] == 1, "\(response)")
        #expect(states[#"service="oneshot",state="completed""#] == 1, "\(response)")
        #expect(states[#"service="extra",state="not selected""#] == 1, "\(response)")

        let start = try #require(Self.samples("pcinit_service_start_time_seconds", in: response)[#"service="burner""#])
        #expect(abs(now - start) < 60, "start time \(start), now \(now)")
        let cpu = try #require(Self.samples("pcinit_service_cpu_seconds_total", in: response)[#"service="burner""#])
        #expect(cpu > 0, "\(response)")
        let rss = try #require(Self.samples("pcinit_service_memory_rss_bytes", in: response)[#"service="burner""#])
        #expect(rss > 16_000_000, "the shell holds a 16 MB string: \(rss)")
        #expect(Self.samples("pcinit_service_ready", in: response)[#"service="oneshot""#] == 1)
        #expect(response.contains("pcinit_build_info{version=\""), "\(response)")
        #expect(response.contains("\npcinit_service_up{service=\"burner\"} 1\n"), "the old names still work")
        #expect(!project.exists("extra.ran"))

        let status = try await runPCInit(["--socket", socket, "status", "--json"])
        #expect(status.status == 0, "\(status)")
        let document = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let services = (document?["services"] as? [[String: Any]]) ?? []
        let byName = Dictionary(uniqueKeysWithValues: services.map { ($0["name"] as? String ?? "", $0) })
        let burner = try #require(byName["burner"], "\(status.stdout)")
        #expect((burner["cpu_seconds"] as? Double ?? 0) > 0, "\(status.stdout)")
        #expect((burner["memory_rss_bytes"] as? Int ?? 0) > 16_000_000, "\(status.stdout)")
        #expect(byName["oneshot"]?["ready"] as? Bool == true, "completed counts as ready: \(status.stdout)")
        #expect(byName["oneshot"]?["cpu_seconds"] is NSNull, "no process, no figures: \(status.stdout)")
        #expect(byName["extra"]?["state"] as? String == "not selected", "\(status.stdout)")

        let table = try await runPCInit(["--socket", socket, "status"])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("  CPU  ") == true && lines.first?.hasSuffix("MEM") == true, "\(table)")
        #expect(lines.first { $0.hasPrefix("extra ") }?.contains("not selected") == true, "\(table.stdout)")
        #expect(lines.first { $0.hasPrefix("oneshot ") }?.contains(" yes ") == true, "\(table.stdout)")
        let burnerLine = try #require(lines.first { $0.hasPrefix("burner ") }, "\(table.stdout)")
        #expect(burnerLine.hasSuffix("M"), "MEM in megabytes: \(table.stdout)")

        // Nothing was left behind by the requests: pcinit sleeps until something happens.
        let settled = await Poll.until { ProcFS.isWaitingInEpoll(run.pcinit.pid) }
        try #require(settled, "\(run.transcript)")
        let before = try #require(ProcFS.contextSwitches(run.pcinit.pid))
        // Not a race: the measuring window, in which nothing may wake pcinit.
        try await Task.sleep(for: .seconds(2))
        let after = try #require(ProcFS.contextSwitches(run.pcinit.pid))
        #expect(after - before == 0, "pcinit woke up \(after - before) times in 2 s after the requests")

        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0, "\(run.transcript)")
    }
}
