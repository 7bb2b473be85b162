import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// tcp and http_get probes that name a host: resolved by the fixture DNS server, then connected.
@Suite(.timeLimit(.minutes(1)))
struct ProbeNameTests {
    private struct Outcome: Sendable {
        var success: Bool
        var detail: String
        var server: String
        var port: Int
        var sockets = 0
        var timers = 0
        var lookups = 0
        var request: String?
    }

    /// Runs one probe built by `probe(port)` against the fixture (one nameserver, 1 s timeout).
    private func check(
        resolvConf: String = DNSResolverTests.oneServer, http: Bool = false,
        _ probe: @escaping @Sendable (Int) -> ProbeConfig
    ) async throws -> Outcome? {
        let outcome: Outcome?? = try await withDNSServer(zone: DNSResolverTests.zone) { server in
            let settings = try resolverSettings(resolvConf: resolvConf, port: server.port, in: server.directory)
            let listener = TestListener()!
            let web = http ? TestHTTPServer(.respond("HTTP/1.1 200 OK\r\n\r\n")) : nil
            defer { web?.stop() }
            let port = web?.port ?? listener.port
            let harness = try ProbeHarness(resolver: settings)
            guard let result = harness.check(probe(port)) else { return nil }
            let resolver = harness.runner.resolver
            return Outcome(
                success: result.success, detail: result.detail, server: "127.0.0.1:\(server.port)", port: port,
                sockets: resolver.resources.sockets, timers: resolver.resources.timers,
                lookups: resolver.activeCount, request: web?.requests.first)
        }
        return outcome ?? nil
    }

    @Test func aTCPProbeToANameConnectsToTheAddressDNSGave() async throws {
        guard let outcome = try await check({ tcpProbe(host: "svc.test", port: $0) }) else { return }
        #expect(outcome.success, "\(outcome.detail)")
        #expect(outcome.detail == "connected to 127.0.0.1:\(outcome.port)")
    }

    @Test func anHTTPProbeToANameSendsItsHostHeader() async throws {
        guard let outcome = try await check(http: true, { httpProbe(host: "svc.test", port: $0) }) else { return }
        #expect(outcome.success, "\(outcome.detail)")
        #expect(outcome.request?.contains("Host: svc.test:\(outcome.port)\r\n") == true, "\(outcome.request ?? "")")
    }

    @Test func aNameThatDoesNotExistFailsTheProbeWithTheReason() async throws {
        guard let outcome = try await check({ tcpProbe(host: "nope.test", port: $0) }) else { return }
        #expect(!outcome.success)
        #expect(outcome.detail == "cannot resolve nope.test: NXDOMAIN from \(outcome.server)")
        guard let web = try await check(http: true, { httpProbe(host: "nope.test", port: $0) }) else { return }
        #expect(web.detail == "cannot resolve nope.test: NXDOMAIN from \(web.server)")
    }

    @Test func theProbeTimeoutCancelsALookupInFlight() async throws {
        guard let outcome = try await check({ tcpProbe(host: "quiet.test", port: $0, timeout: .milliseconds(300)) })
        else { return }
        #expect(!outcome.success)
        #expect(outcome.detail == "timed out after 300ms resolving quiet.test")
        #expect(outcome.sockets == 0 && outcome.timers == 0 && outcome.lookups == 0)
    }
}
