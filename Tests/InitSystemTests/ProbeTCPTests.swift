import CInit
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread, .timeLimit(.minutes(1)))
struct ProbeTCPTests {
    @Test func tcpCheckSucceedsAgainstAListeningSocket() throws {
        let listener = try #require(TestListener())
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "127.0.0.1", port: listener.port)))
        #expect(outcome.success)
        #expect(outcome.detail == "connected to 127.0.0.1:\(listener.port)")
    }

    @Test func tcpCheckMapsLocalhostToTheLoopbackAddress() throws {
        let listener = try #require(TestListener())
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "localhost", port: listener.port)))
        #expect(outcome.success, "\(outcome.detail)")
    }

    @Test func tcpCheckReachesTheIPv6Loopback() throws {
        guard let listener = TestListener(ipv6: true) else {
            print("skipped: no IPv6 loopback on this host")
            return
        }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "::1", port: listener.port)))
        #expect(outcome.success, "\(outcome.detail)")
        #expect(outcome.detail == "connected to [::1]:\(listener.port)")
    }

    @Test func tcpCheckFailsPromptlyWhenNothingListens() throws {
        let port = closedLoopbackPort()
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "127.0.0.1", port: port, timeout: .seconds(5))))
        #expect(!outcome.success)
        #expect(outcome.detail == "connect to 127.0.0.1:\(port): Connection refused")
        #expect(outcome.elapsed < .seconds(1))
    }

    @Test func tcpCheckTimesOutWhenTheHandshakeNeverCompletes() throws {
        // With a backlog of 0 the kernel queues one connection; it drops the SYNs of the next ones.
        let listener = try #require(TestListener(backlog: 0))
        let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(filler) }
        var address = try #require(SocketAddress(host: "127.0.0.1", port: UInt16(listener.port)))
        let length = address.length
        _ = withUnsafePointer(to: &address.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
        }
        // The filler's handshake completes (it turns writable) before the probe's SYN can be dropped.
        var writable = pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)
        try #require(poll(&writable, 1, 5000) == 1, "the filler connection never completed")
        let harness = try ProbeHarness()
        let outcome = try #require(
            harness.check(tcpProbe(host: "127.0.0.1", port: listener.port, timeout: .milliseconds(300)))
        )
        #expect(!outcome.success)
        #expect(outcome.detail == "timed out after 300ms")
        #expect(outcome.elapsed < .milliseconds(550), "took \(outcome.elapsed)")
    }

    @Test func tcpCheckRejectsAnInvalidPort() throws {
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "127.0.0.1", port: 70000)))
        #expect(!outcome.success)
        #expect(outcome.detail == "invalid port 70000")
    }

    @Test func cancelledTCPCheckNeverCompletes() throws {
        let listener = try #require(TestListener())
        let harness = try ProbeHarness()
        var calls = 0
        let id = harness.runner.run(
            tcpProbe(host: "127.0.0.1", port: listener.port), environment: [], workingDirectory: nil
        ) {
            _, _ in calls += 1
        }
        harness.runner.cancel(id)
        runLoop(harness.loop, for: .milliseconds(100)) { false }
        #expect(calls == 0)
        #expect(harness.runner.activeCount == 0)
    }

    @Test func literalAddressesNeedNoLookup() throws {
        #expect(SocketAddress.literal(host: "127.0.0.1", port: 80)?.description == "127.0.0.1:80")
        #expect(SocketAddress.literal(host: "localhost", port: 8080)?.description == "127.0.0.1:8080")
        #expect(SocketAddress.literal(host: "LocalHost.", port: 8080)?.description == "127.0.0.1:8080")
        #expect(SocketAddress.literal(host: "", port: 1)?.description == "127.0.0.1:1")
        #expect(SocketAddress.literal(host: "::1", port: 443)?.description == "[::1]:443")
        #expect(SocketAddress.literal(host: "[fe80::1]", port: 9)?.description == "[fe80::1]:9")
        #expect(SocketAddress.literal(host: "fe80::1%1", port: 9)?.description == "[fe80::1]:9")
        #expect(SocketAddress.literal(host: "fe80::1%lo", port: 9) != nil)
        #expect(SocketAddress.literal(host: "fe80::1%no-such-interface", port: 9) == nil)
        #expect(SocketAddress.literal(host: "db.internal", port: 9) == nil)
        #expect(SocketAddress(IPAddress("10.1.2.3")!, port: 5432).description == "10.1.2.3:5432")
        #expect(SocketAddress(IPAddress("fd00::5")!, port: 5432).description == "[fd00::5]:5432")
    }

    @Test func tcpCheckRejectsPortZero() throws {
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(tcpProbe(host: "db.internal", port: 0)))
        #expect(!outcome.success)
        #expect(outcome.detail == "invalid port 0")
    }
}
