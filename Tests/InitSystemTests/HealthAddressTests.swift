import Testing

@testable import InitSystem

@Suite struct HealthAddressTests {
    @Test(.timeLimit(.minutes(1))) func parsesEveryDocumentedForm() {
        #expect(HealthAddress.parse("[::]:8558") == .listen(host: "::", port: 8558))
        #expect(HealthAddress.parse("0.0.0.0:8558") == .listen(host: "0.0.0.0", port: 8558))
        #expect(HealthAddress.parse("127.0.0.1:9000") == .listen(host: "127.0.0.1", port: 9000))
        #expect(HealthAddress.parse(":8558") == .listen(host: "::", port: 8558))
        #expect(HealthAddress.parse("8558") == .listen(host: "::", port: 8558))
        #expect(HealthAddress.parse("off") == .off)
        #expect(HealthAddress.parse("OFF") == .off)
        #expect(HealthAddress.parse(HealthAddress.defaultText) == .listen(host: "::", port: 8558))
    }

    @Test(.timeLimit(.minutes(1))) func acceptsIPv6LoopbackLocalhostBareHostsAndSurroundingSpace() {
        #expect(HealthAddress.parse("[::1]:9000") == .listen(host: "::1", port: 9000))
        #expect(HealthAddress.parse("localhost:9000") == .listen(host: "127.0.0.1", port: 9000))
        #expect(HealthAddress.parse("127.0.0.1") == .listen(host: "127.0.0.1", port: 8558))
        #expect(HealthAddress.parse("[::1]") == .listen(host: "::1", port: 8558))
        #expect(HealthAddress.parse("  :8558\n") == .listen(host: "::", port: 8558))
    }

    @Test(.timeLimit(.minutes(1))) func rejectsWhatCannotBeBound() {
        for text in [
            "", "   ", "0", "65536", "99999999", "-1", "8558x", ":", "127.0.0.1:", "127.0.0.1:0", "::1:8558", "::",
            "[::1", "[::1]8558", "[127.0.0.1]:80", "example.com:8558", "1.2.3:80", "127.0.0.1:80:1", "on",
        ] {
            #expect(HealthAddress.parse(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func describesItselfTheWayItParses() {
        #expect(HealthAddress.listen(host: "::", port: 8558).description == "[::]:8558")
        #expect(HealthAddress.listen(host: "0.0.0.0", port: 1).description == "0.0.0.0:1")
        #expect(HealthAddress.off.description == "off")
    }
}
