import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// The resolver against a real DNS server (the dnslib fixture) on loopback: one nameserver, a one-second
/// timeout and one attempt unless a test says otherwise.
@Suite(.timeLimit(.minutes(1)))
struct DNSResolverTests {
    static let zone = #"""
        {
          "db.test": {"a": ["10.0.0.5"], "aaaa": ["fd00::5"], "ttl": 300},
          "v4.test": {"a": ["10.0.0.4"]},
          "v6.test": {"aaaa": ["fd00::6"]},
          "www.test": {"cname": "edge.test"},
          "edge.test": {"cname": "db.test"},
          "empty.test": {},
          "broken.test": {"rcode": "SERVFAIL"},
          "quiet.test": {"silent": true},
          "spoofed.test": {"a": ["10.0.0.7"], "wrong_id_first": true},
          "big.test": {"a": ["10.0.0.8"], "truncate": true},
          "short.test": {"a": ["10.0.0.9"], "ttl": 0},
          "svc.test": {"a": ["127.0.0.1"]}
        }
        """#

    static let oneServer = "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"

    /// Looks `hosts` up against the fixture with `resolvConf` (and `hosts` file contents); the server's
    /// label in messages is `127.0.0.1:PORT`.
    private func run(
        _ names: [String], resolvConf: String = oneServer, hostsFile: String? = nil
    ) async throws -> (reports: [LookupReport], server: String, queries: [String])? {
        try await withDNSServer(zone: Self.zone) { server in
            let settings = try resolverSettings(
                resolvConf: resolvConf, hosts: hostsFile, port: server.port, in: server.directory)
            let reports = try lookUp(names, settings: settings)
            return (reports, "127.0.0.1:\(server.port)", server.queries)
        }
    }

    @Test func anARecordResolvesAndEverythingIsReleased() async throws {
        guard let (reports, _, queries) = try await run(["v4.test"]) else { return }
        let report = reports[0]
        #expect(report.addresses == ["10.0.0.4"], "\(String(describing: report.result))")
        #expect(!report.answeredAtOnce)
        #expect(report.completions == 1)
        #expect(report.sockets == 0 && report.timers == 0 && report.active == 0)
        #expect(queries.contains("v4.test A"))
    }

    @Test func anAAAAOnlyNameResolvesToIPv6() async throws {
        guard let (reports, _, _) = try await run(["v6.test"]) else { return }
        #expect(reports[0].addresses == ["fd00::6"], "\(String(describing: reports[0].result))")
    }

    @Test func ipv4ComesFirstWhenANameHasBoth() async throws {
        guard let (reports, _, _) = try await run(["db.test"]) else { return }
        #expect(reports[0].addresses?.first == "10.0.0.5", "\(String(describing: reports[0].result))")
    }

    @Test func aCNAMEChainIsFollowed() async throws {
        guard let (reports, _, queries) = try await run(["WWW.test"]) else { return }
        #expect(reports[0].addresses?.first == "10.0.0.5", "\(String(describing: reports[0].result))")
        // One query per type: the chain came inside the answer.
        #expect(queries.filter { $0.hasSuffix(" A") } == ["www.test A"])
    }

    @Test func nxdomainNodataAndServfailAreClearFailures() async throws {
        guard let (reports, server, _) = try await run(["nope.test", "empty.test", "broken.test"]) else { return }
        #expect(reports[0].failure == "cannot resolve nope.test: NXDOMAIN from \(server)")
        #expect(reports[1].failure == "cannot resolve empty.test: no A or AAAA record from \(server)")
        #expect(reports[2].failure == "cannot resolve broken.test: SERVFAIL from \(server)")
        #expect(reports.allSatisfy { $0.completions == 1 && $0.sockets == 0 && $0.timers == 0 })
    }

    @Test func aSilentNameserverTimesOutAndTheNextOneAnswers() async throws {
        let outcome: (LookupReport, Bool)?? = try await withDNSServer(zone: Self.zone) { server in
            // 127.0.0.2 is loopback too: the same port there belongs to a socket that never reads.
            guard let silent = SilentNameserver(address: "127.0.0.2", port: server.port) else {
                print("skipped: cannot bind 127.0.0.2 here")
                return nil
            }
            defer { withExtendedLifetime(silent) {} }
            let settings = try resolverSettings(
                resolvConf: "nameserver 127.0.0.2\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
                port: server.port, in: server.directory)
            let report = try lookUp(["v4.test"], settings: settings)[0]
            return (report, server.queries.contains("v4.test A"))
        }
        guard let (report, answered) = outcome ?? nil else { return }
        #expect(report.addresses == ["10.0.0.4"], "\(String(describing: report.result))")
        #expect(answered)
        // It waited for the silent one's timeout (1 s) first; far below, the loop never waited at all.
        #expect(report.elapsed > .milliseconds(700), "took \(report.elapsed)")
    }

    @Test func nobodyAnsweringIsReportedPerNameserver() async throws {
        guard
            let (reports, server, _) = try await run(
                ["quiet.test"], resolvConf: "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n")
        else { return }
        #expect(
            reports[0].failure == "cannot resolve quiet.test: no answer from \(server) (timed out after 1s)",
            "\(String(describing: reports[0].result))")
        #expect(reports[0].elapsed > .milliseconds(1500), "two tries of 1 s took \(reports[0].elapsed)")
    }

    @Test func aReplyWithTheWrongIDIsIgnored() async throws {
        guard let (reports, _, _) = try await run(["spoofed.test"]) else { return }
        // The decoy (another id, 192.0.2.66) arrives first; the real reply after it.
        #expect(reports[0].addresses == ["10.0.0.7"], "\(String(describing: reports[0].result))")
    }

    @Test func aTruncatedReplyFailsClearly() async throws {
        guard let (reports, server, _) = try await run(["big.test"]) else { return }
        #expect(
            reports[0].failure
                == "cannot resolve big.test: truncated answer from \(server) (too large for UDP; no TCP fallback)")
    }

    @Test func theHostsFileComesFirstAndAnswersAtOnce() async throws {
        let hostsFile = "# test hosts\n10.9.8.7 db.test db\nfd00::7 db.test\n"
        guard let (reports, _, queries) = try await run(["db.test", "DB"], hostsFile: hostsFile) else { return }
        #expect(reports.map(\.addresses) == [["10.9.8.7", "fd00::7"], ["10.9.8.7"]])
        #expect(reports.allSatisfy { $0.answeredAtOnce })
        #expect(queries.isEmpty)
    }

    @Test func answersAreCachedForTheirTTL() async throws {
        guard let (reports, _, queries) = try await run(["v4.test", "v4.test", "short.test", "short.test"])
        else { return }
        #expect(reports.map(\.addresses) == [["10.0.0.4"], ["10.0.0.4"], ["10.0.0.9"], ["10.0.0.9"]])
        #expect(reports.map(\.answeredAtOnce) == [false, true, false, false])
        // TTL 0 is never cached: asked twice.
        #expect(queries.filter { $0 == "v4.test A" }.count == 1)
        #expect(queries.filter { $0 == "short.test A" }.count == 2)
    }

    @Test func theSearchListIsApplied() async throws {
        guard let (reports, _, queries) = try await run(["db"], resolvConf: "search test\n" + Self.oneServer)
        else { return }
        #expect(reports[0].addresses?.first == "10.0.0.5", "\(String(describing: reports[0].result))")
        #expect(queries.first?.hasPrefix("db.test ") == true, "\(queries)")
    }

    @Test func aCancelledLookupReleasesItsSocketsAndTimersAndNeverCallsBack() async throws {
        let outcome: (Int, Int, Int, Int, Int)?? = try await withDNSServer(zone: Self.zone) { server in
            let settings = try resolverSettings(resolvConf: Self.oneServer, port: server.port, in: server.directory)
            let loop = try EventLoop()
            let resolver = HostResolver(loop: loop, settings: settings)
            var calls = 0
            guard case .pending(let id) = resolver.lookUp("quiet.test", completion: { _ in calls += 1 }) else {
                return nil
            }
            var inFlight = 0
            var after = (0, 0, 0)
            var cancelledAt: Instant?
            // Until both queries are out (two sockets), then cancel, and run on past the 1 s timeout.
            runLoop(loop, for: .seconds(6)) {
                if let cancelledAt { return MonotonicClock.now() - cancelledAt > .milliseconds(1500) }
                guard resolver.resources.sockets == 2 else { return false }
                inFlight = resolver.resources.sockets
                resolver.cancel(id)
                after = (resolver.resources.sockets, resolver.resources.timers, resolver.activeCount)
                cancelledAt = MonotonicClock.now()
                return false
            }
            return (inFlight, after.0, after.1, after.2, calls)
        }
        guard let (inFlight, sockets, timers, active, calls) = outcome ?? nil else { return }
        #expect(inFlight == 2)
        #expect(sockets == 0 && timers == 0 && active == 0)
        #expect(calls == 0)
    }
}
