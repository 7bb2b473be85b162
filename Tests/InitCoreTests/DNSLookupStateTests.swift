import InitCore
import Testing

private func name(_ text: String) -> DNSName { DNSName(text)! }
private func ip(_ text: String) -> IPAddress { IPAddress(text)! }

private func answered(_ addresses: [String], ttl: UInt32 = 60, for host: String = "db.internal") -> DNSQueryOutcome {
    .answered(
        DNSAddressAnswer(addresses: addresses.map(ip), ttl: ttl, canonicalName: name(host)), server: "10.0.0.2")
}

@Suite struct DNSLookupStateTests {
    @Test func anIPv4AnswerEndsTheLookupWithoutWaitingForAAAA() {
        var state = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(state.start() == .query(name("db.internal")))
        #expect(state.record(answered(["10.0.0.5"], ttl: 30), for: .a) == .succeeded([ip("10.0.0.5")], ttl: 30))
        // Whatever comes later for a finished lookup is ignored.
        #expect(state.record(answered(["fd00::5"]), for: .aaaa) == nil)
    }

    @Test func ipv6AddressesWaitForTheIPv4AnswerAndJoinIt() {
        var state = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(state.record(answered(["fd00::5"], ttl: 20), for: .aaaa) == nil)
        #expect(
            state.record(answered(["10.0.0.5"], ttl: 90), for: .a)
                == .succeeded([ip("10.0.0.5"), ip("fd00::5")], ttl: 20))

        var onlyV6 = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(onlyV6.record(answered(["fd00::5"], ttl: 20), for: .aaaa) == nil)
        #expect(onlyV6.record(answered([]), for: .a) == .succeeded([ip("fd00::5")], ttl: 20))
    }

    @Test func aNameWithNoAddressFails() {
        var state = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(state.record(answered([]), for: .a) == nil)
        #expect(
            state.record(answered([]), for: .aaaa)
                == .failed("cannot resolve db.internal: no A or AAAA record from 10.0.0.2"))
    }

    @Test func nxdomainFailsAtOnceAndMovesDownTheSearchList() {
        var single = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(
            single.record(.nameError(server: "10.0.0.2"), for: .aaaa)
                == .failed("cannot resolve db.internal: NXDOMAIN from 10.0.0.2"))

        var search = DNSLookupState(host: "db", candidates: [name("db.svc.cluster.local"), name("db")])
        #expect(search.start() == .query(name("db.svc.cluster.local")))
        #expect(search.record(.nameError(server: "10.0.0.2"), for: .a) == .query(name("db")))
        // The state takes what it is given as the current candidate's: the resolver itself drops late
        // outcomes of an earlier candidate's queries.
        #expect(search.record(answered(["10.0.0.5"], for: "db"), for: .a) == .succeeded([ip("10.0.0.5")], ttl: 60))
    }

    @Test func whenEveryCandidateFailsTheNameAsWrittenIsReported() {
        var state = DNSLookupState(
            host: "db", candidates: [name("db.svc.cluster.local"), name("db.cluster.local"), name("db")])
        #expect(state.record(.nameError(server: "10.0.0.2"), for: .a) == .query(name("db.cluster.local")))
        #expect(state.record(.serverError(.serverFailure, server: "10.0.0.2"), for: .a) == nil)
        #expect(state.record(.serverError(.serverFailure, server: "10.0.0.2"), for: .aaaa) == .query(name("db")))
        #expect(
            state.record(.nameError(server: "10.0.0.3"), for: .aaaa)
                == .failed(
                    "cannot resolve db: NXDOMAIN from 10.0.0.3 (also tried db.svc.cluster.local, db.cluster.local)"))
    }

    @Test func silenceAndTruncationEndTheSearch() {
        let candidates = [name("db.svc.cluster.local"), name("db")]
        var silent = DNSLookupState(host: "db", candidates: candidates)
        let quiet = DNSQueryOutcome.noResponse(summary: "no answer from 10.0.0.2 (timed out after 5s)")
        #expect(silent.record(quiet, for: .a) == nil)
        #expect(
            silent.record(quiet, for: .aaaa)
                == .failed("cannot resolve db (as db.svc.cluster.local): no answer from 10.0.0.2 (timed out after 5s)"))

        var truncated = DNSLookupState(host: "big.example", candidates: [name("big.example"), name("big.example.svc")])
        #expect(truncated.record(.truncated(server: "10.0.0.2"), for: .a) == nil)
        #expect(
            truncated.record(.truncated(server: "10.0.0.2"), for: .aaaa)
                == .failed(
                    "cannot resolve big.example: truncated answer from 10.0.0.2 (too large for UDP; no TCP fallback)"))
    }

    @Test func differentFailuresAreBothNamed() {
        var state = DNSLookupState(host: "db.internal", candidates: [name("db.internal")])
        #expect(state.record(.noResponse(summary: "no answer from 10.0.0.2 (Connection refused)"), for: .a) == nil)
        #expect(
            state.record(.serverError(.refused, server: "10.0.0.2"), for: .aaaa)
                == .failed(
                    "cannot resolve db.internal: A: no answer from 10.0.0.2 (Connection refused); AAAA: REFUSED from 10.0.0.2"
                ))
    }

    @Test func noCandidatesMeansAnInvalidName() {
        #expect(
            DNSLookupState(host: "bad name", candidates: []).start()
                == .failed("cannot resolve bad name: invalid host name"))
    }
}
