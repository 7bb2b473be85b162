import Foundation
import Glibc
import Testing

/// Single-command mode opens no port by default (like tini); with an explicit address, `pcinit CMD` serves
/// /readyz for `HEALTHCHECK ["/pcinit", "--check"]`: ready while the command runs, 503 once a stop began.
@Suite("Single-command health endpoint", .timeLimit(.minutes(1)))
struct CommandHealthTests {
    @Test func noListenerUnlessAnAddressIsGiven() async throws {
        let marker = uniqueSleepSeconds()
        // pcinit's own defaults, on purpose: single-command mode opens neither endpoint, so nothing is shared.
        let pcinit = try await RunningInit.start(
            ["sleep", marker], environment: .clean.usingPCInitDefault(.healthAddress, .controlSocket))
        defer { pcinit.killTree() }
        let sockets = ProcFS.fileDescriptors(pcinit.pid).values.filter { $0.hasPrefix("socket:") }
        #expect(sockets.isEmpty, "pcinit opened \(sockets)")
        pcinit.send(SIGTERM)
        _ = try await pcinit.wait()
    }

    @Test func checkIsReadyWhileTheCommandRunsAndNotAfter() async throws {
        let port = freeTCPPort()
        let environment = Environment.clean.with(["PCINIT_HEALTH_ADDR": "127.0.0.1:\(port)"])
        let pcinit = try await RunningInit.start(["sleep", uniqueSleepSeconds()], environment: environment)
        defer { pcinit.killTree() }

        let ready = try await runPCInit(["--check"], environment: environment)
        #expect(ready.status == 0 && ready.stdout == "ready\n", "\(ready)")
        let status = try #require(httpGet(port: port, path: "/status"))
        #expect(status.contains(#""name":"sleep","state":"running","ready":true"#), "\(status)")

        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().termination.exitCode == 128 + SIGTERM)
        let gone = try await runPCInit(["--check"], environment: environment)
        #expect(gone.status == 1 && gone.stdout.hasPrefix("unreachable"), "\(gone)")
    }

    @Test func anInvalidAddressIsAUsageError() async throws {
        let result = try await runPCInit(["--health-addr", "nonsense", "true"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(#"health address "nonsense" is not valid"#), "\(result)")
    }
}
