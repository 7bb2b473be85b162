import CInit
import Foundation
import Glibc
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread) struct HealthCheckClientTests {
    @Test(.timeLimit(.minutes(1))) func aReadyInitExitsZero() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let result = HealthCheckClient.check(
            address: .listen(host: "127.0.0.1", port: server.port), timeout: .seconds(1))
        #expect(result.code == 0)
        #expect(result.line == "ready")
    }

    @Test(.timeLimit(.minutes(1))) func notReadyAndStoppingExitOneWithTheCode() throws {
        let source = TestHealthSource(ready: false)
        let server = try RunningHealthServer(source: source)
        defer { server.stop() }
        let address = HealthAddress.listen(host: "127.0.0.1", port: server.port)
        var result = HealthCheckClient.check(address: address, timeout: .seconds(1))
        #expect(result.code == 1)
        #expect(result.line == "not ready: 503")
        source.set(ready: true, stopping: true)
        result = HealthCheckClient.check(address: address, timeout: .seconds(1))
        #expect(result.code == 1)
        #expect(result.line == "not ready: 503 (stopping)")
    }

    @Test(.timeLimit(.minutes(1))) func wildcardListenersAreAskedOnLoopback() throws {
        for host in ["::", "0.0.0.0"] {
            let server = try RunningHealthServer(host: host)
            defer { server.stop() }
            let result = HealthCheckClient.check(address: .listen(host: host, port: server.port), timeout: .seconds(1))
            #expect(result.code == 0, "\(host): \(result.line)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func nothingListeningExitsOneQuicklyWithTheReason() throws {
        let port = try unusedPort()
        let start = ContinuousClock.now
        let result = HealthCheckClient.check(address: .listen(host: "::", port: port), timeout: .seconds(1))
        #expect(ContinuousClock.now - start < .milliseconds(300))
        #expect(result.code == 1)
        #expect(result.line == "unreachable: connection refused (127.0.0.1:\(port))")
    }

    @Test(.timeLimit(.minutes(1))) func aServerThatNeverAnswersExitsOneWithinTheTimeout() throws {
        // Listening but never accepting: the kernel completes the handshake, nobody ever replies.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(fd) }
        let any = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        #expect(any.withSockaddr { bind(fd, $0, $1) } == 0)
        #expect(listen(fd, 8) == 0)
        let port = try #require(SocketAddress.local(of: fd)).port

        let start = ContinuousClock.now
        let result = HealthCheckClient.check(address: .listen(host: "127.0.0.1", port: port), timeout: .seconds(1))
        let took = ContinuousClock.now - start
        #expect(result.code == 1)
        #expect(result.line == "unreachable: no answer within 1 s (127.0.0.1:\(port))")
        #expect(took >= .milliseconds(950) && took < .milliseconds(1300), "took \(took)")
    }

    @Test(.timeLimit(.minutes(1))) func anOffEndpointExitsOne() {
        let result = HealthCheckClient.check(address: .off, timeout: .seconds(1))
        #expect(result.code == 1)
        #expect(result.line == "health endpoint is off")
    }

    @Test(.timeLimit(.minutes(1))) func repliesAreJudgedByTheirStatusLine() {
        #expect(HealthCheckExchange.parse(Array("HTTP/1.0 200 OK\r\n\r\n".utf8)) == .answered(200, nil))
        #expect(
            HealthCheckExchange.parse(
                Array("HTTP/1.1 503 Service Unavailable\r\nA: b\r\n\r\n{\"status\":\"not ready\"}".utf8))
                == .answered(503, nil))
        #expect(HealthCheckExchange.parse(Array("HTTP/1.1 204 No Content\r\n".utf8)) == .answered(204, nil))
        #expect(HealthCheckExchange.parse(Array("SSH-2.0-OpenSSH\r\n".utf8)) == .invalidReply)
        #expect(HealthCheckExchange.parse([]) == .invalidReply)
        #expect(HealthCheckClient.targets(for: "::") == ["127.0.0.1", "::1"])
        #expect(HealthCheckClient.targets(for: "10.1.2.3") == ["10.1.2.3"])
    }

    /// A port nothing listens on: bound for a moment, then released.
    private func unusedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(fd) }
        let any = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        #expect(any.withSockaddr { bind(fd, $0, $1) } == 0)
        return try #require(SocketAddress.local(of: fd)).port
    }
}
