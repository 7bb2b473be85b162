import Foundation
import Testing

@testable import InitCore

/// The configs users copy from examples/ must load cleanly (no errors, no warnings) and mean what their
/// comments say.
@Suite struct ExampleConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func load(_ example: String) -> ConfigLoadResult {
        ConfigLoader(environment: ["PATH": "/usr/bin:/bin"], workingDirectory: root, readFile: readRealFile)
            .load(files: ["examples/\(example)/process-compose.yml"])
    }

    @Test(arguments: ["quickstart", "web-stack", "tenant-stack"])
    func exampleLoadsWithoutDiagnostics(_ example: String) {
        let result = Self.load(example)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.config != nil)
    }

    @Test func tenantStackStartsRestoreFirstAndStopsCaddyFirst() throws {
        let config = try #require(Self.load("tenant-stack").config)
        #expect(config.services.map(\.name) == ["restore", "litestream", "pocketbase", "caddy", "nats"])
        let graph = DependencyGraph(
            names: config.services.map(\.name),
            edges: Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0.dependsOn.map(\.service)) })
        )
        // Shutdown goes from the highest level down: caddy, then pocketbase, then litestream (then nats, a
        // sidecar that depends on nothing, so the app's hooks keep it until the app is gone).
        #expect(graph.levels() == [0, 1, 2, 3, 0])
        #expect(config.pcinit.stopTimeout == .seconds(25))
        let byName = Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0) })
        let pocketbase = try #require(byName["pocketbase"])
        #expect(pocketbase.dependsOn.contains(Dependency(service: "litestream", condition: .processStarted)))
        // The sidecar runs only when named; the per-service timeouts fit in the stop budget.
        #expect(byName["nats"]?.disabled == true)
        let timeouts = ["caddy", "pocketbase", "litestream"].compactMap { byName[$0]?.shutdown.timeout }
        #expect(timeouts.count == 3 && timeouts.reduce(.zero, +) < config.pcinit.stopTimeout ?? .seconds(10))
    }

    /// Paths and ports come from variables with defaults: the image's layout unless the environment says
    /// otherwise.
    @Test func tenantStackTakesPathsAndPortsFromTheEnvironment() throws {
        let defaults = try #require(Self.load("tenant-stack").config)
        let environment = try #require(defaults.services.first { $0.name == "litestream" }?.environment)
        let values = Dictionary(environment.aboveInherited, uniquingKeysWith: { _, last in last })
        #expect(values["DATA_DIR"] == "/data")
        #expect(values["LITESTREAM_REPLICA_URL"] == "file:///replica")
        #expect(values["LITESTREAM_CONFIG"] == "/etc/tenant-stack/litestream.yml")
        #expect(values["PORT"] == "8080" && values["PB_PORT"] == "8090")

        let custom = try #require(
            ConfigLoader(
                environment: ["PB_PORT": "9191", "REPLICA_DIR": "/mnt/replica", "SECRETS_FILE": "/dev/null"],
                workingDirectory: Self.root, readFile: readRealFile
            ).load(files: ["examples/tenant-stack/process-compose.yml"]).config)
        let pocketbase = try #require(custom.services.first { $0.name == "pocketbase" })
        if case .httpGet(_, let port, _, _, _, _) = pocketbase.readinessProbe?.check {
            #expect(port == 9191)
        } else {
            Issue.record("pocketbase: http_get readiness probe")
        }
        let url = pocketbase.environment.aboveInherited.last { $0.0 == "LITESTREAM_REPLICA_URL" }?.1
        #expect(url == "file:///mnt/replica")
    }

    @Test func webStackUsesEveryReadinessKind() throws {
        let config = try #require(Self.load("web-stack").config)
        let byName = Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0) })
        #expect(byName["redis"]?.notify == true)
        if case .httpGet = byName["app"]?.readinessProbe?.check {} else { Issue.record("app: http_get probe") }
        if case .tcp = byName["proxy"]?.readinessProbe?.check {} else { Issue.record("proxy: tcp probe") }
        #expect(byName["proxy"]?.shutdown.signal == 3)
    }

    /// fly.toml deploys the tenant stack as README's Fly section says; its numbers must agree with the config.
    @Test func flyTomlAgreesWithTheTenantStack() throws {
        let fly = try String(contentsOfFile: "\(Self.root)/fly.toml", encoding: .utf8)
        // `section.key` → value, for the flat `key = "value"` lines this file uses ("" is the top level).
        var values: [String: String] = [:]
        var section = ""
        for raw in fly.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                section = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            } else if let equals = line.range(of: " = "), !line.hasPrefix("#") {
                let value = line[equals.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                values["\(section).\(line[..<equals.lowerBound])"] = value
            }
        }
        let config = try #require(Self.load("tenant-stack").config)
        let budget = try #require(config.pcinit.stopTimeout)
        let killTimeout = try #require(values[".kill_timeout"].flatMap(DurationText.parse))
        #expect(killTimeout > budget, "kill_timeout \(killTimeout) must exceed the stop budget \(budget)")
        #expect(values["env.PCINIT_STOP_TIMEOUT"].flatMap(DurationText.parse) == budget)
        #expect(values[".kill_signal"] == "SIGTERM")
        #expect(values["build.dockerfile"] == "examples/tenant-stack/Dockerfile.example")
        #expect(FileManager.default.fileExists(atPath: "\(Self.root)/examples/tenant-stack/Dockerfile.example"))
        #expect(values["http_service.internal_port"] == "8080" && values["env.PORT"] == "8080", "Caddy's port")
        #expect(values["mounts.destination"] == "/data" && values["env.DATA_DIR"] == "/data", "the volume")
        #expect(values["checks.pcinit.port"] == "8558" && values["checks.pcinit.path"] == "/readyz")
        let names = Set(config.services.map(\.name))
        let app = try #require(values["processes.app"])
        #expect(app.split(separator: " ").allSatisfy { names.contains(String($0)) }, "[processes] app = \(app)")
    }

    /// One name for the stage that builds pcinit, everywhere a Dockerfile or README names it: `build`, which
    /// is also what the podman tests replace (`--build-context build=DIR`).
    @Test func everyDockerfileCallsTheBuildStageBuild() throws {
        for file in ["Dockerfile", "examples/tenant-stack/Dockerfile.example", "README.md"] {
            let text = try String(contentsOfFile: "\(Self.root)/\(file)", encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let range = line.range(of: "--from=") {
                    let stage = line[range.upperBound...].prefix { !$0.isWhitespace }
                    #expect(stage == "build", "\(file): \(line)")
                }
                if line.hasPrefix("FROM "), let range = line.range(of: " AS ") {
                    #expect(line[range.upperBound...] == "build", "\(file): \(line)")
                }
            }
        }
    }
}
