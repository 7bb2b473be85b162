import Foundation
import Testing

@testable import InitCore

/// pcinit's own example configs under Tests/Corpus/config, read with the real YAML reader
/// (anchors and merge keys included) and real files.
@Suite struct ConfigStackTests {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/").dropLast(2)
        parts.append(contentsOf: ["Corpus", "config"])
        return "/" + parts.joined(separator: "/")
    }()

    func load(_ name: String, environment: [String: String] = [:]) -> ConfigLoadResult {
        ConfigLoader(environment: environment, workingDirectory: Self.directory, readFile: readRealFile)
            .load(files: [name])
    }

    @Test func tenantStackLoads() throws {
        let result = load("tenant-stack.yml", environment: ["DB_PORT": "6543", "TENANT_ID": "from-os"])
        #expect(result.diagnostics.isEmpty, "\(result.messages)")
        let config = try #require(result.config)
        #expect(config.name == "tenant")
        #expect(config.services.map(\.name) == ["postgres", "migrate", "api-0", "api-1", "proxy"])
        #expect(
            config.pcinit
                == PCInitSettings(
                    healthAddr: "[::]:8558", stopTimeout: .seconds(20), grace: .seconds(2),
                    mainDependsOn: ["api-0", "api-1"]))
        let postgres = try #require(result.service("postgres"))
        #expect(postgres.command == .exec(["postgres", "-D", "/var/lib/postgresql/data"]))
        #expect(postgres.readinessProbe == ProbeConfig(check: .tcp(host: "127.0.0.1", port: 6543), period: .seconds(2)))
        #expect(postgres.shutdown == ShutdownConfig(signal: 2, timeout: .seconds(30)))
        // .env wins over the process environment for ${…} expansion.
        #expect(
            postgres.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == [
                "DATABASE_URL=postgres://app@127.0.0.1:6543/app", "TENANT=acme",
            ])
        let api = try #require(result.service("api-1"))
        #expect(api.command == .exec(["/usr/local/bin/api", "--listen", ":8080"]))
        #expect(api.notify)
        #expect(api.availability == Availability(restart: .onFailure, backoff: .seconds(1), maxBackoff: .seconds(16)))
        #expect(api.shutdown == ShutdownConfig(signal: 15, timeout: .seconds(8)))
        #expect(api.dependsOn == [Dependency(service: "migrate", condition: .processCompletedSuccessfully)])
        #expect(result.service("proxy")?.dependsOn.map(\.service) == ["api-0", "api-1"])
    }
}
