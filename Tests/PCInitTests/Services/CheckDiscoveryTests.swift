import Foundation
import Glibc
import Testing

/// `pcinit --check` from a directory without the config (`docker exec app pcinit --check`, a shell elsewhere):
/// with no flag, environment variable or config naming the health address, it asks the running pcinit over its
/// control socket (found as `pcinit status` finds it) where its listener is, instead of assuming 8558.
@Suite("Services: --check finds the running pcinit", .timeLimit(.minutes(1)))
struct CheckDiscoveryTests {
    @Test func checkWithoutAConfigAsksTheRunningInstanceForItsAddress() async throws {
        let port = freeTCPPort()
        let project = try ServiceProject(
            "check-discovery",
            """
            processes:
              web:
                command: '\(Snippet.idle)'
                readiness_probe:
                  exec: {command: 'test -f {dir}/healthy'}
                  period_seconds: 1
                  failure_threshold: 1
            """)
        try project.directory.write("healthy", "")
        let socket = project.directory.path("pcinit.sock")
        let run = try await ServiceRun.start(
            project, environment: ["PCINIT_HEALTH_ADDR": "127.0.0.1:\(port)", "PCINIT_SOCKET": socket])
        defer { run.stop() }
        #expect(await run.waitForMessage("web ready") != nil, "\(run.transcript)")

        // The client: the same socket (as `pcinit status` would find it), no health address anywhere, run in an
        // empty directory. Left at the default it would ask 8558, where this instance is not.
        let client = Environment.clean.with(["PCINIT_SOCKET": socket]).usingPCInitDefault(.healthAddress)
        let ready = try await runPCInit(["--check"], environment: client)
        #expect(ready.status == 0 && ready.stdout == "ready\n", "\(ready)")

        // It really asked this instance: when its service stops being ready, so does the check.
        unlink(project.directory.path("healthy"))
        let notReady = await Poll.until(timeout: .seconds(10), every: .milliseconds(100)) {
            httpGet(port: port, path: "/readyz")?.hasPrefix("HTTP/1.1 503") == true
        }
        #expect(notReady, "\(run.transcript)")
        let unready = try await runPCInit(["--check"], environment: client)
        #expect(unready.status == 1 && unready.stdout == "not ready: 503\n", "\(unready)")

        // The status reply carries the address; an explicit one still wins over it.
        let status = try await runPCInit(["status", "--json"], environment: client)
        #expect(status.stdout.contains(#""health_addr": "127.0.0.1:\#(port)""#), "\(status)")
        let explicit = try await runPCInit(["--check"], environment: Environment.clean.with(["PCINIT_SOCKET": socket]))
        #expect(explicit.status == 1 && explicit.stdout == "health endpoint is off\n", "\(explicit)")

        run.send(SIGTERM)
        #expect(try await run.wait().status == 0)
    }
}
