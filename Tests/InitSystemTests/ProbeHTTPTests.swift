import CInit
import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread, .timeLimit(.minutes(1)))
struct ProbeHTTPTests {
    @Test func httpCheckSucceedsOnTheExpectedStatusAndSendsAnHTTP10Request() throws {
        let server = TestHTTPServer(.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(
            harness.check(httpProbe(port: server.port, path: "/health?deep=1", headers: ["X-Probe": "yes"]))
        )
        #expect(outcome.success, "\(outcome.detail)")
        #expect(outcome.detail == "HTTP 200")
        #expect(
            server.requests == [
                "GET /health?deep=1 HTTP/1.0\r\nHost: 127.0.0.1:\(server.port)\r\nX-Probe: yes\r\n"
                    + "Connection: close\r\nUser-Agent: pcinit\r\n\r\n"
            ]
        )
    }

    @Test func httpCheckFailsOnAnyOtherStatus() throws {
        let server = TestHTTPServer(.respond("HTTP/1.0 503 Service Unavailable\r\n\r\n"))
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: server.port)))
        #expect(!outcome.success)
        #expect(outcome.detail == "HTTP 503, expected 200")
    }

    @Test func httpCheckAcceptsAny2xxOr3xxWhenNoStatusIsConfigured() throws {
        let server = TestHTTPServer(.respond("HTTP/1.1 302 Found\r\nLocation: /\r\n\r\n"))
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: server.port, statusCode: 0)))
        #expect(outcome.success, "\(outcome.detail)")
    }

    @Test func probeHeadersReplaceTheDefaultHostHeader() throws {
        let server = TestHTTPServer(.respond("HTTP/1.1 200 OK\r\n\r\n"))
        defer { server.stop() }
        let harness = try ProbeHarness()
        _ = harness.check(httpProbe(host: "localhost", port: server.port, headers: ["Host": "app.internal"]))
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("GET / HTTP/1.0\r\nHost: app.internal\r\nConnection: close\r\n"), "\(request)")
    }

    @Test func httpCheckAgainstPythonHTTPServer() throws {
        let directory = makeTemporaryDirectory("http-python")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "ready\n".write(toFile: directory + "/ready.txt", atomically: true, encoding: .utf8)
        let port = closedLoopbackPort()
        let server = try TestProcess(
            ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", directory]
        )
        defer { _ = server.terminate() }
        try #require(waitForListener(port: port), "python3 http.server did not start")

        let found = try #require(try ProbeHarness().check(httpProbe(host: "localhost", port: port, path: "/ready.txt")))
        #expect(found.success, "\(found.detail)")
        let missing = try #require(try ProbeHarness().check(httpProbe(port: port, path: "/missing")))
        #expect(!missing.success)
        #expect(missing.detail == "HTTP 404, expected 200")
    }

    @Test func httpCheckTimesOutWhenTheServerNeverAnswers() throws {
        // Connections complete in the kernel's backlog, but nobody ever reads or answers.
        let listener = try #require(TestListener())
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: listener.port, timeout: .milliseconds(300))))
        #expect(!outcome.success)
        #expect(outcome.detail == "timed out after 300ms")
        #expect(outcome.elapsed < .milliseconds(550), "took \(outcome.elapsed)")
    }

    @Test func httpCheckFailsWhenTheServerHangsUpWithoutAResponse() throws {
        let server = TestHTTPServer(.hangUp)
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: server.port)))
        #expect(!outcome.success)
        #expect(outcome.detail == "connection closed without a response")
    }

    @Test func httpCheckRejectsAMalformedStatusLine() throws {
        let server = TestHTTPServer(.respond("SSH-2.0-OpenSSH_9.2\r\n"))
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: server.port)))
        #expect(!outcome.success)
        #expect(outcome.detail == #"malformed status line "SSH-2.0-OpenSSH_9.2\r""#)
    }

    @Test func httpCheckStopsReadingAtTheCapWithoutAStatusLine() throws {
        let server = TestHTTPServer(.respond(String(repeating: "x", count: 20_000)))
        defer { server.stop() }
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: server.port)))
        #expect(!outcome.success)
        #expect(outcome.detail == "no status line in the first 8192 bytes")
    }

    @Test func httpsIsReportedAsUnsupported() throws {
        let harness = try ProbeHarness()
        let outcome = try #require(harness.check(httpProbe(port: 443, scheme: "https")))
        #expect(!outcome.success)
        #expect(outcome.detail == "https not supported")
    }

    @Test func headersThatCouldSmuggleLinesAreRejected() {
        var request = HTTPCheck.Request(
            host: "127.0.0.1",
            port: 80,
            path: "/",
            scheme: "http",
            headers: ["X-Evil": "a\r\nHost: other"],
            expectedStatus: 200
        )
        #expect(request.problem == #"invalid header "X-Evil""#)
        request.headers = [:]
        request.path = "/a b"
        #expect(request.problem == #"invalid path "/a b""#)
        request.path = "health"
        #expect(request.problem == nil)
        #expect(request.text.hasPrefix("GET /health HTTP/1.0\r\n"))
    }

    @Test func statusLinesAreParsedStrictly() {
        func code(_ line: String) -> Int? { HTTPCheck.statusCode(of: Array(line.utf8)[...]) }
        #expect(code("HTTP/1.1 200 OK\r") == 200)
        #expect(code("HTTP/1.0 404") == 404)
        #expect(code("HTTP/2 204 No Content") == 204)
        #expect(code("HTTP/1.1 20 OK") == nil)
        #expect(code("http/1.1 200 OK") == nil)
        #expect(code("200 OK") == nil)
    }

    @Test func bracketedIPv6HostHeaderKeepsItsBrackets() {
        let request = HTTPCheck.Request(
            host: "::1",
            port: 8080,
            path: "/",
            scheme: "HTTP",
            headers: [:],
            expectedStatus: 200
        )
        #expect(request.problem == nil)
        #expect(request.text.contains("\r\nHost: [::1]:8080\r\n"))
    }
}

/// Polls until something accepts connections on 127.0.0.1:`port`. Sleeps between checks: for suites on
/// dedicated threads (`.onDedicatedThread`) only.
func waitForListener(port: Int, limit: Duration = .seconds(10)) -> Bool {
    let giveUp = MonotonicClock.now() + limit
    while MonotonicClock.now() < giveUp {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = SocketAddress(host: "127.0.0.1", port: UInt16(port))!
        let length = address.length
        let connected = withUnsafePointer(to: &address.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        close(fd)
        if connected == 0 { return true }
        usleep(20_000)
    }
    return false
}
