import Testing

@testable import InitCore

/// The samples of one family, by their label text (`service="web",state="running"`).
func samples(_ family: String, in text: String) -> [String: String] {
    var found: [String: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix(family + "{") {
        let labels = line.dropFirst(family.count + 1).prefix { $0 != "}" }
        found[String(labels)] = String(line.split(separator: " ").last!)
    }
    return found
}

/// What dashboards read: the state set, start times, probe failures, build info, CPU and memory.
@Suite(.timeLimit(.minutes(1))) struct ServiceMetricsTests {
    @Test func theStateSetHasExactlyOneOnePerService() {
        let services = ServiceState.allCases.map { ServiceStatus(name: "s-\($0.rawValue)", state: $0) }
        let text = HealthReport.metrics(services: services, ready: false, stopping: false, reapedTotal: 0, now: .zero)
        let set = samples("pcinit_service_state", in: text)
        #expect(set.count == services.count * ServiceState.allCases.count)
        for service in services {
            let own = set.filter { $0.key.hasPrefix("service=\"\(service.name)\",") }
            #expect(own.count == ServiceState.allCases.count)
            #expect(own.values.filter { $0 == "1" }.count == 1, "\(service.name)")
            #expect(own["service=\"\(service.name)\",state=\"\(service.state.rawValue)\""] == "1")
            #expect(own.values.allSatisfy { $0 == "0" || $0 == "1" })
        }
        #expect(text.contains("# TYPE pcinit_service_state gauge\n"))
    }

    @Test func startTimeIsTheWallClockAtTheSpawnWhileTheProcessIsUp() {
        var h = Harness([service("web") { $0.availability.restart = .always }, service("job")])
        h.send(.begin)
        let spawnedAt = UnixTime(nanoseconds: 1_796_000_000_123_456_789)
        h.send(.spawned(0, pid: 100, startTime: spawnedAt), at: 1)
        h.send(.spawned(1, pid: 101, startTime: spawnedAt), at: 1)
        h.exited("job", .exited(0), at: 2)
        let text = HealthReport.metrics(
            services: h.supervisor.services, ready: true, stopping: false, reapedTotal: 1, now: at(5))
        #expect(samples("pcinit_service_start_time_seconds", in: text) == [#"service="web""#: "1796000000.123"])
        #expect(text.contains("# TYPE pcinit_service_start_time_seconds gauge\n"))

        // A restart gets the new process's time.
        h.exited("web", .exited(1), at: 6)
        h.tick(at: 8)
        h.send(.spawned(0, pid: 102, startTime: UnixTime(nanoseconds: 1_796_000_007_000_000_000)), at: 8)
        let after = HealthReport.metrics(
            services: h.supervisor.services, ready: true, stopping: false, reapedTotal: 2, now: at(9))
        #expect(samples("pcinit_service_start_time_seconds", in: after) == [#"service="web""#: "1796000007"])
    }

    @Test func probeFailuresAreCountedPerServiceAndProbeAcrossRestarts() {
        var h = Harness([
            service("web") {
                $0.availability.restart = .always
                $0.readinessProbe = probe(period: 1, failure: 5)
                $0.livenessProbe = probe(period: 1, failure: 2)
            },
            service("db") { $0.readinessProbe = probe(period: 1) },
            service("plain"),
        ])
        h.beginAndSpawnAll()
        func failures() -> [String: String] {
            samples(
                "pcinit_probe_failures_total",
                in: HealthReport.metrics(
                    services: h.supervisor.services, ready: false, stopping: false, reapedTotal: 0, now: h.now))
        }
        // Configured probes count from 0; a service without probes has no series.
        #expect(
            failures() == [
                #"service="web",probe="readiness""#: "0", #"service="web",probe="liveness""#: "0",
                #"service="db",probe="readiness""#: "0",
            ])
        h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 0.1)
        h.send(.probeFinished(0, .liveness, success: true, detail: ""), at: 0.1)
        h.send(.probeFinished(1, .readiness, success: true, detail: ""), at: 0.1)
        h.tick(at: 1)
        h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 1.1)
        h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 1.1)
        // A result nobody asked for (no check in flight) is not a check.
        h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 1.2)
        #expect(failures()[#"service="web",probe="readiness""#] == "2")
        #expect(failures()[#"service="web",probe="liveness""#] == "1")
        #expect(failures()[#"service="db",probe="readiness""#] == "0")

        // The second liveness failure in a row restarts web; the counters keep counting the new process.
        h.tick(at: 2)
        h.send(.probeFinished(0, .liveness, success: false, detail: "refused"), at: 2.1)
        #expect(h.state("web") == .stopping)
        h.exited("web", .signaled(15), at: 2.2)
        h.tick(at: 10)
        h.spawned("web", pid: 200, at: 10)
        h.send(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 10.1)
        #expect(h.supervisor.status(0).restarts == 1)
        #expect(failures()[#"service="web",probe="readiness""#] == "3")
        #expect(failures()[#"service="web",probe="liveness""#] == "2")
        #expect(
            HealthReport.metrics(
                services: h.supervisor.services, ready: false, stopping: false, reapedTotal: 0, now: h.now
            ).contains("# TYPE pcinit_probe_failures_total counter\n"))
    }

    @Test func buildInfoNamesTheVersion() {
        let text = HealthReport.metrics(
            services: [], ready: true, stopping: false, reapedTotal: 0, now: .zero, version: "9.8.7")
        #expect(text.hasSuffix("# TYPE pcinit_build_info gauge\npcinit_build_info{version=\"9.8.7\"} 1\n"))
    }

    @Test func cpuAndMemoryAreWrittenForServicesWhoseUsageWasRead() {
        var web = ServiceStatus(name: "web", state: .running, pid: 42, startedAt: .zero)
        web.usage = ProcessGroupUsage(cpuSeconds: 1.25, residentBytes: 12_345_678)
        let idle = ServiceStatus(name: "idle", state: .running, pid: 43, startedAt: .zero)
        let text = HealthReport.metrics(
            services: [web, idle], ready: true, stopping: false, reapedTotal: 0, now: .zero)
        #expect(samples("pcinit_service_cpu_seconds_total", in: text) == [#"service="web""#: "1.25"])
        #expect(samples("pcinit_service_memory_rss_bytes", in: text) == [#"service="web""#: "12345678"])
        #expect(text.contains("# TYPE pcinit_service_cpu_seconds_total counter\n"))
        #expect(text.contains("# TYPE pcinit_service_memory_rss_bytes gauge\n"))
    }

    @Test func usageInSecondsAndBytesFromTicksAndPages() {
        let usage = ProcessUsage(cpuTicks: 250, residentPages: 3).measured(ticksPerSecond: 100, pageSize: 4096)
        #expect(usage == ProcessGroupUsage(cpuSeconds: 2.5, residentBytes: 12288))
    }

    @Test func theExistingFamiliesKeepTheirNames() {
        let text = HealthReport.metrics(
            services: [ServiceStatus(name: "a", state: .running, exitCode: 0, startedAt: .zero)], ready: true,
            stopping: false, reapedTotal: 0, now: .zero)
        for family in [
            "pcinit_service_up", "pcinit_service_ready", "pcinit_service_restarts_total",
            "pcinit_service_last_exit_code", "pcinit_service_uptime_seconds", "pcinit_ready", "pcinit_stopping",
            "pcinit_reaped_children_total",
        ] {
            #expect(text.contains("# TYPE \(family) "), "\(family)")
        }
    }
}

/// `pcinit status` agrees with `/readyz`, and says why a service is out of the run.
@Suite(.timeLimit(.minutes(1))) struct StatusAgreementTests {
    @Test func aOneShotThatCompletedSuccessfullyShowsAsReady() {
        var h = Harness([service("migrate"), service("broken"), service("web")])
        h.beginAndSpawnAll()
        h.exited("migrate", .exited(0), at: 1)
        #expect(h.state("migrate") == .completed)
        #expect(h.status("migrate").ready, "ready, as /readyz counts it")
        #expect(StatusRow(h.status("migrate"), now: h.now).ready)
        #expect(h.supervisor.isReady, "the one-shot counts as ready for /readyz too")
        h.exited("broken", .exited(3), at: 1)
        #expect(h.state("broken") == .failed)
        #expect(!h.status("broken").ready)
        #expect(!h.supervisor.isReady, "a failed service keeps /readyz at 503")
        let rows = StatusReport(ready: false, stopping: false, statuses: h.supervisor.services, now: h.now).services
        #expect(rows.map(\.ready) == [true, false, true])
        let metrics = HealthReport.metrics(
            services: h.supervisor.services, ready: false, stopping: false, reapedTotal: 2, now: h.now)
        #expect(samples("pcinit_service_ready", in: metrics)[#"service="migrate""#] == "1")
    }

    @Test func aCompletedOneShotAloneLeavesReadyzAndStatusAgreeing() {
        var h = Harness([service("migrate"), service("web")])
        h.beginAndSpawnAll()
        let changes = h.everything(.exited(0, .exited(0)), at: 1).compactMap { action -> StateChange? in
            if case .stateChanged(let change) = action { change } else { nil }
        }
        #expect(changes.map(\.to) == [.completed])
        #expect(changes.first?.ready == true, "the event stream says what status says")
        #expect(h.supervisor.isReady)
        #expect(h.supervisor.services.allSatisfy { $0.ready }, "every row says ready when /readyz does")
    }

    @Test func servicesNotNamedOnTheCommandLineAreNotSelectedNotDisabled() {
        var h = Harness(
            [service("web"), service("db"), service("extra"), service("debug") { $0.disabled = true }],
            selection: ["web"])
        h.send(.begin)
        #expect(h.state("extra") == .notSelected)
        #expect(h.state("db") == .notSelected)
        #expect(h.state("debug") == .disabled, "disabled in the config: disabled, named or not")
        let table = StatusTable.render(
            StatusReport(ready: false, stopping: false, statuses: h.supervisor.services, now: h.now))
        #expect(table.contains("extra  not selected  no"), "\(table)")
        #expect(table.contains("debug  disabled      no"), "\(table)")
        #expect(ServiceState.notSelected.rawValue == "not selected")
        // Out of the run either way: neither keeps /readyz down, and `start` brings it in.
        h.spawned("web", at: 1)
        #expect(h.supervisor.isReady)
        #expect(h.send(.startService("extra"), at: 2).withoutLogs.contains(.spawn(2)))
    }

    @Test func withoutASelectionOnlyDisabledServicesAreOut() {
        var h = Harness([service("web"), service("debug") { $0.disabled = true }])
        h.send(.begin)
        #expect(h.state("debug") == .disabled)
        #expect(!ServiceState.allCases.contains { $0 != .notSelected && $0.rawValue.contains(" ") })
    }
}

@Suite(.timeLimit(.minutes(1))) struct StatusUsageColumnsTests {
    @Test func cpuAndMemColumnsShowTheGroupsUsage() throws {
        var web = ServiceStatus(name: "web", state: .running, ready: true, pid: 42, startedAt: .zero)
        web.usage = ProcessGroupUsage(cpuSeconds: 0.4271, residentBytes: 12_900_000)
        let row = StatusRow(web, now: at(12.5))
        #expect(row.cpuSeconds == 0.427)
        #expect(row.memoryRSSBytes == 12_900_000)
        let report = StatusReport(
            ready: true, stopping: false,
            services: [row, StatusRow(name: "job", state: "completed", ready: true, exitCode: 0)])
        #expect(
            StatusTable.render(report) == """
                NAME  STATE      READY  PID  RESTARTS  EXIT  UPTIME  CPU    MEM
                web   running    yes    42   0         -     12s     0.42s  12.3M
                job   completed  yes    -    0         0     -       -      -

                """)
        let text = report.json.rendered()
        #expect(text.contains(#""cpu_seconds":0.427,"memory_rss_bytes":12900000}"#), "\(text)")
        #expect(StatusReport(json: try JSONParser.parse(Array(text.utf8))) == report)
    }

    @Test(
        arguments: [
            (0.0 as Double, "0.00s"), (0.429, "0.42s"), (9.999, "9.99s"), (12.34, "12.3s"), (187, "3m07s"),
            (-1, "0s"),
        ] as [(Double, String)])
    func cpuText(seconds: Double, text: String) {
        #expect(StatusTable.cpuText(seconds) == text)
    }

    @Test(
        arguments: [
            (512 as Int64, "512B"), (1024, "1.00K"), (150 * 1024, "150K"), (12_900_000, "12.3M"),
            (3 << 30, "3.00G"),
        ] as [(Int64, String)])
    func memoryText(bytes: Int64, text: String) {
        #expect(StatusTable.memoryText(bytes) == text)
    }
}
