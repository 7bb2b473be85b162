import Glibc
import Testing

@testable import InitSystem

@Suite struct HealthRequestTests {
    private func parse(_ text: String) -> HealthRequest? {
        let bytes = Array(text.utf8)
        guard let end = HealthRequest.headEnd(in: bytes) else { return nil }
        return HealthRequest.parse(head: bytes[0..<end])
    }

    @Test(.timeLimit(.minutes(1))) func headEndsAtTheFirstBlankLineWithOrWithoutCarriageReturns() {
        #expect(HealthRequest.headEnd(in: Array("GET / HTTP/1.1\r\nA: b\r\n\r\nbody".utf8)) == 24)
        #expect(HealthRequest.headEnd(in: Array("GET / HTTP/1.0\n\n".utf8)) == 16)
        #expect(HealthRequest.headEnd(in: Array("GET / HTTP/1.1\r\nA: b\r\n".utf8)) == nil)
        #expect(HealthRequest.headEnd(in: Array("GET / HTTP/1.1\r\n\r".utf8)) == nil)
    }

    @Test(.timeLimit(.minutes(1))) func headEndIsFoundWhenTheTerminatorArrivesAcrossReads() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        // The server resumes the search three bytes before the old end, so a split "\r\n|\r\n" is still seen.
        #expect(HealthRequest.headEnd(in: bytes, from: bytes.count - 2 - 3) == bytes.count)
    }

    @Test(.timeLimit(.minutes(1))) func parsesMethodAndPathWithoutQueryOrFragment() {
        #expect(parse("GET /readyz?x=1 HTTP/1.1\r\nHost: a\r\n\r\n") == HealthRequest(method: "GET", path: "/readyz"))
        #expect(parse("HEAD /livez#top HTTP/1.0\r\n\r\n") == HealthRequest(method: "HEAD", path: "/livez"))
        #expect(parse("GET http://h:1/status?a HTTP/1.1\r\n\r\n") == HealthRequest(method: "GET", path: "/status"))
        #expect(parse("GET http://h:1 HTTP/1.1\r\n\r\n") == HealthRequest(method: "GET", path: "/"))
        #expect(parse("OPTIONS * HTTP/1.1\r\n\r\n") == HealthRequest(method: "OPTIONS", path: "*"))
    }

    @Test(.timeLimit(.minutes(1))) func refusesHeadsThatAreNotHTTP1() {
        for text in [
            "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "GET / HTTP/11\r\n\r\n", "GET / http/1.1\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n: empty name\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            "GET /a\u{7F}b HTTP/1.1\r\n\r\n", "GET ftp://x/ HTTP/1.1\r\n\r\n", "\r\n\r\n",
        ] {
            #expect(parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func peersOnLoopbackAreRecognisedInEveryForm() throws {
        for host in ["127.0.0.1", "127.255.3.4", "::1", "::ffff:127.0.0.1", "::ffff:127.9.9.9"] {
            let address = try #require(SocketAddress(host: host, port: 1))
            #expect(address.isLoopback, "\(host)")
        }
        for host in [
            "10.0.0.1", "192.0.2.2", "0.0.0.0", "128.0.0.1", "::", "::2", "::ffff:10.0.0.1", "fe80::1", "::127.0.0.1",
        ] {
            let address = try #require(SocketAddress(host: host, port: 1))
            #expect(!address.isLoopback, "\(host)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func responsesCarryLengthTypeAndCloseAndHeadOmitsOnlyTheBody() {
        var response = HealthResponse.json(200, "{}\n")
        #expect(
            String(decoding: response.bytes, as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
                + "Cache-Control: no-store\r\nConnection: close\r\n\r\n{}\n")
        response.omitsBody = true
        #expect(
            String(decoding: response.bytes, as: UTF8.self).hasSuffix(
                "Content-Length: 3\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"))
        #expect(
            String(decoding: HealthResponse.error(431).bytes, as: UTF8.self).hasPrefix(
                "HTTP/1.1 431 Request Header Fields Too Large\r\n"))
    }
}
