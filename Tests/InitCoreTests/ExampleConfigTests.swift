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
        #expect(config.services.map(\.name) == ["restore", "litestream", "pocketbase", "caddy"])
        let graph = DependencyGraph(
            names: config.services.map(\.name),
            edges: Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0.dependsOn.map(\.service)) })
        )
        // Shutdown goes from the highest level down: caddy, then pocketbase, then litestream.
        #expect(graph.levels() == [0, 1, 2, 3])
        #expect(config.pcinit.stopTimeout == .seconds(25))
        let pocketbase = try #require(config.services.first { $0.name == "pocketbase" })
        #expect(pocketbase.dependsOn.contains(Dependency(service: "litestream", condition: .processStarted)))
    }

    @Test func webStackUsesEveryReadinessKind() throws {
        let config = try #require(Self.load("web-stack").config)
        let byName = Dictionary(uniqueKeysWithValues: config.services.map { ($0.name, $0) })
        #expect(byName["redis"]?.notify == true)
        if case .httpGet = byName["app"]?.readinessProbe?.check {} else { Issue.record("app: http_get probe") }
        if case .tcp = byName["proxy"]?.readinessProbe?.check {} else { Issue.record("proxy: tcp probe") }
        #expect(byName["proxy"]?.shutdown.signal == 3)
    }
}
