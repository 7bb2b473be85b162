import Foundation
import Testing

@testable import InitCore

/// Load+validate time of a generated 500-service config. Not a timed test: it runs only with
/// `PCINIT_BENCH=1 swift test -c release --filter ConfigBenchmark` and prints the figure.
@Suite(.onDedicatedThread) struct ConfigBenchmarkTests {
    static func generatedConfig(services count: Int) -> String {
        var text = "version: \"0.5\"\nenvironment:\n  - REGION=${REGION:-eu}\n  - TIER=bench\nprocesses:\n"
        let conditions = ["process_started", "process_healthy", "process_completed_successfully"]
        for i in 0..<count {
            text += "  svc\(i):\n"
            text += "    command: \"run-service --id \(i) --port $${PORT}\"\n"
            text += "    working_dir: /srv/svc\(i)\n"
            text +=
                "    environment:\n      - PORT=\(10000 + i)\n      - NAME=svc\(i)\n      - LEVEL=${LOG_LEVEL:-info}\n"
            text += "    availability:\n      restart: on_failure\n      backoff_seconds: 2\n      max_restarts: 5\n"
            text +=
                "    readiness_probe:\n      http_get:\n        port: \(10000 + i)\n        path: /healthz\n      period_seconds: 5\n"
            text += "    shutdown:\n      signal: SIGTERM\n      timeout_seconds: 15\n"
            let deps = Set([i - 1, i / 2, i / 3].filter { $0 >= 0 && $0 < i })
            if !deps.isEmpty {
                text += "    depends_on:\n"
                for (n, dep) in deps.sorted().enumerated() {
                    text += "      svc\(dep):\n        condition: \(conditions[n % conditions.count])\n"
                }
            }
        }
        return text
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["PCINIT_BENCH"] == "1"))
    func fiveHundredServicesLoadQuickly() throws {
        let text = Self.generatedConfig(services: 500)
        let harness = ConfigTestHarness(text)
        let clock = ContinuousClock()
        var best = Duration.seconds(100)
        var config: ProjectConfig?
        for _ in 0..<10 {
            let start = clock.now
            let result = harness.load()
            best = min(best, clock.now - start)
            config = result.config
            #expect(result.diagnostics.isEmpty)
        }
        #expect(config?.services.count == 500)
        var parseBest = Duration.seconds(100)
        for _ in 0..<10 {
            let start = clock.now
            _ = try YAMLReader.parse(text, file: "bench.yml")
            parseBest = min(parseBest, clock.now - start)
        }
        func ms(_ d: Duration) -> Double {
            Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000
        }
        print(
            "ConfigBenchmark: 500 services, \(text.utf8.count) bytes: load+validate best of 10 = \(ms(best)) ms, of which YAML parsing \(ms(parseBest)) ms"
        )
    }

    @Test func generatedConfigIsValid() {
        let result = ConfigTestHarness(Self.generatedConfig(services: 20)).load()
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.services.count == 20)
        #expect(result.service("svc9")?.dependsOn.map(\.service) == ["svc3", "svc4", "svc8"])
    }
}
