import Foundation
import Glibc
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread) struct HealthServerRouteTests {
    @Test(.timeLimit(.minutes(1))) func livezAnswersExactly200WithTheCloseHeaders() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let reply = try TestClient.get("/livez", port: server.port)
        #expect(reply.statusLine == "HTTP/1.1 200 OK")
        #expect(reply.body == "{\"status\":\"live\"}\n")
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.headers["content-length"] == String(reply.body.utf8.count))
        #expect(reply.headers["connection"] == "close")
    }

    @Test(.timeLimit(.minutes(1))) func readyzFollowsTheSourceAndSaysStoppingOnceAStopBegan() throws {
        let source = TestHealthSource(ready: false)
        let server = try RunningHealthServer(source: source)
        defer { server.stop() }
        var reply = try TestClient.get("/readyz", port: server.port)
        #expect(reply.status == 503)
        #expect(reply.statusLine == "HTTP/1.1 503 Service Unavailable")
        #expect(reply.body == "{\"status\":\"not ready\"}\n")

        source.set(ready: true)
        reply = try TestClient.get("/readyz", port: server.port)
        #expect(reply.statusLine == "HTTP/1.1 200 OK")
        #expect(reply.body == "{\"status\":\"ready\"}\n")

        source.set(stopping: true)
        reply = try TestClient.get("/readyz", port: server.port)
        #expect(reply.status == 503)
        #expect(reply.body == "{\"status\":\"stopping\"}\n")
    }

    @Test(.timeLimit(.minutes(1))) func statusAnswersLoopbackPeersWithTheSourceJSON() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let reply = try TestClient.get("/status", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.body == "{\"ready\":true,\"stopping\":false,\"services\":[]}\n")
    }

    @Test(.timeLimit(.minutes(1)), .enabled(if: nonLoopbackIPv4() != nil))
    func statusIsForbiddenToPeersOutsideLoopback() throws {
        let server = try RunningHealthServer(host: "0.0.0.0")
        defer { server.stop() }
        let outside = try #require(nonLoopbackIPv4())
        let reply = try TestClient.get("/status", host: outside, port: server.port)
        #expect(reply.status == 403)
        #expect(reply.body == "{\"error\":\"forbidden\"}\n")
        // The public routes still answer that peer.
        #expect(try TestClient.get("/readyz", host: outside, port: server.port).status == 200)
        #expect(try TestClient.get("/status", port: server.port).status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func dualStackListenerAnswersIPv4AndIPv6LoopbackAndTrustsBothForStatus() throws {
        let server = try RunningHealthServer(host: "::")
        defer { server.stop() }
        #expect(try TestClient.get("/status", host: "127.0.0.1", port: server.port).status == 200)
        #expect(try TestClient.get("/status", host: "::1", port: server.port).status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func metricsUseThePrometheusTextContentType() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let reply = try TestClient.get("/metrics", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(reply.body == "pcinit_ready 1\n")
    }

    @Test(.timeLimit(.minutes(1))) func headGetsTheGetHeadersWithoutABody() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let reply = try TestClient.get("/readyz", method: "HEAD", port: server.port)
        #expect(reply.status == 200)
        #expect(reply.headers["content-length"] == String("{\"status\":\"ready\"}\n".utf8.count))
        #expect(reply.body.isEmpty)
        let missing = try TestClient.get("/nope", method: "HEAD", port: server.port)
        #expect(missing.status == 404)
        #expect(missing.body.isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func queryStringsAndAbsoluteTargetsAreIgnoredForRouting() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        #expect(try TestClient.get("/readyz?x=1&y", port: server.port).status == 200)
        #expect(try TestClient.get("http://pod:8558/livez?probe", port: server.port).status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func unknownPathsAre404AndOtherMethodsAre405WithAllow() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        #expect(try TestClient.get("/", port: server.port).status == 404)
        #expect(try TestClient.get("/readyz/", port: server.port).status == 404)
        #expect(try TestClient.get("/nope", method: "DELETE", port: server.port).status == 404)
        let reply = try TestClient.get("/readyz", method: "POST", port: server.port)
        #expect(reply.status == 405)
        #expect(reply.headers["allow"] == "GET, HEAD")
        #expect(reply.body == "{\"error\":\"method not allowed\"}\n")
    }

    @Test(.timeLimit(.minutes(1))) func malformedRequestsAre400() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        for raw in [
            "NONSENSE\r\n\r\n", "GET /readyz\r\n\r\n", "GET /readyz HTTP/2.0\r\n\r\n", "GET  /readyz HTTP/1.1\r\n\r\n",
            "GET /readyz HTTP/1.1\r\nNoColonHere\r\n\r\n", "GET readyz HTTP/1.1\r\n\r\n", "\r\n\r\n",
        ] {
            let reply = try TestClient.exchange(port: server.port, raw: raw)
            #expect(reply.status == 400, "\(raw.debugDescription)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func http10AndBareLineFeedRequestsAreAnswered() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        #expect(try TestClient.exchange(port: server.port, raw: "GET /livez HTTP/1.0\r\n\r\n").status == 200)
        #expect(try TestClient.exchange(port: server.port, raw: "GET /livez HTTP/1.0\n\n").status == 200)
        #expect(
            try TestClient.exchange(port: server.port, raw: "\r\nGET /livez HTTP/1.1\r\nA: b\r\n\r\n").status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func aRequestWithABodyStillGetsItsAnswerBeforeTheClose() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let body = String(repeating: "x", count: 20_000)
        let raw = "GET /readyz HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n\(body)"
        #expect(try TestClient.exchange(port: server.port, raw: raw).status == 200)
    }
}
