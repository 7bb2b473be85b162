import Testing

@testable import InitCore

/// "Did you mean": the nearest known key at every level, and what a misspelt block means.
@Suite struct ConfigTypoTests {
    /// What a new user hit: `comand`, `availabilty`, `timout_seconds`.
    @Test func newUsersTypos() {
        let result = loadConfig(
            """
            processes:
              web:
                comand: python3 -m http.server
                entrypoint: [python3, -m, http.server]
                availabilty:
                  restart: always
                shutdown:
                  timout_seconds: 5
            """)
        #expect(
            result.messages == [
                "process-compose.yml:3:5: warning: processes.web: unknown key 'comand' (did you mean 'command'?)",
                "process-compose.yml:5:5: warning: processes.web: unknown key 'availabilty' (did you mean 'availability'?); its settings are ignored, so 'availability' keeps its defaults",
                "process-compose.yml:8:7: warning: processes.web.shutdown: unknown key 'timout_seconds' (did you mean 'timeout_seconds'?)",
            ])
        #expect(result.service("web")?.availability.restart == RestartPolicy.no)
    }

    @Test func aBlockNextToItsRealSpellingSaysNothingAboutDefaults() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    availability: {}\n    availabilty: {restart: always}\n")
        #expect(
            result.messages == [
                "process-compose.yml:5:5: warning: processes.a: unknown key 'availabilty' (did you mean 'availability'?)"
            ])
    }

    @Test func keysOfAnotherLevelSayWhereTheyBelong() {
        // Modelled on eScholarship/jschol process-compose.yml: readiness_probe nested under availability.
        let result = loadConfig(
            """
            processes:
              jschol:
               command: "./gulp"
               availability:
                restart: "always"
                readiness_probe:
                  http_get: {host: 127.0.0.1, port: 18880}
               readiness_probe:
                 port: 18880
                 http_get: {port: 18880}
            """)
        #expect(
            result.messages == [
                "process-compose.yml:6:5: warning: processes.jschol.availability: unknown key 'readiness_probe' (it belongs directly under the process, one level up)",
                "process-compose.yml:9:6: warning: processes.jschol.readiness_probe: unknown key 'port' (it belongs under 'http_get:' or 'tcp_socket:')",
            ])
    }

    @Test func noSuggestionForAnUnrelatedWord() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    flavour: mint\n")
        #expect(result.messages == ["process-compose.yml:4:5: warning: processes.a: unknown key 'flavour'"])
    }

    /// Modelled on ErikBooij/mqtt-http-bridge process-compose.yml (`condition: process-started`).
    @Test func enumValuesGetSuggestionsToo() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                depends_on:
                  b: {condition: process-started}
              b:
                command: x
                availability: {restart: on-failure}
            """)
        #expect(
            result.messages == [
                "process-compose.yml:5:22: error: processes.a.depends_on.b.condition: invalid value 'process-started' (did you mean 'process_started'?); valid values are: process_started, process_healthy, process_completed, process_completed_successfully, process_log_ready",
                "process-compose.yml:8:29: error: processes.b.availability.restart: invalid value 'on-failure' (did you mean 'on_failure'?); valid values are: no, always, on_failure, exit_on_failure",
            ])
    }

    @Test func distance() {
        #expect(NearestName.distance(Array("comand".utf8), Array("command".utf8), atMost: 3) == 1)
        #expect(NearestName.distance(Array("retsart".utf8), Array("restart".utf8), atMost: 3) == 1)
        #expect(NearestName.distance(Array("abc".utf8), Array("".utf8), atMost: 3) == 3)
        #expect(NearestName.distance(Array("abc".utf8), Array("".utf8), atMost: 2) == nil)
        #expect(NearestName.distance(Array("flavour".utf8), Array("command".utf8), atMost: 3) == nil)
        #expect(NearestName.suggestion(for: "env", among: ["environment", "extends"]) == nil)
    }

    /// The full optimal-string-alignment table, which the bounded distance must agree with wherever it answers.
    func fullDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// The distance stops at its limit (a band around the diagonal, rows given up once all are past it) and is
    /// exact below it: every pair of words up to 4 letters over a 3-letter alphabet, and longer random pairs.
    @Test func theBoundedDistanceIsExactWithinItsLimit() {
        var words: [[UInt8]] = [[]]
        var last: [[UInt8]] = [[]]
        for _ in 1...4 {
            last = last.flatMap { word in Array("abc".utf8).map { word + [$0] } }
            words += last
        }
        var mismatches = 0
        for a in words {
            for b in words {
                let full = fullDistance(a, b)
                for limit in 0...3 where NearestName.distance(a, b, atMost: limit) != (full <= limit ? full : nil) {
                    mismatches += 1
                }
            }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let a = (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 97...99, using: &random) }
            var b = a
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                let at = Int.random(in: 0...b.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: b.insert(UInt8.random(in: 97...100, using: &random), at: at)
                case 1: if at < b.count { b.remove(at: at) }
                default: if at + 1 < b.count { b.swapAt(at, at + 1) }
                }
            }
            let full = fullDistance(a, b)
            for limit in 0...3 where NearestName.distance(a, b, atMost: limit) != (full <= limit ? full : nil) {
                mismatches += 1
                Issue.record(
                    "\(String(decoding: a, as: UTF8.self)) / \(String(decoding: b, as: UTF8.self)), limit \(limit)")
            }
        }
        #expect(mismatches == 0)
    }

    /// A 1,500-byte unknown key is compared with the known keys without a full table for each (they differ in
    /// length by more than a typo), and still gets no suggestion; the typo beside it still gets one.
    @Test func aVeryLongUnknownKeyGetsNoSuggestionAndATypoStillDoes() {
        let long = String(repeating: "command", count: 215) + "x"  // 1,506 bytes, made of a known key
        let result = loadConfig("processes:\n  a:\n    command: x\n    \(long): 1\n    comand: y\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:5: warning: processes.a: unknown key '\(long)'",
                "process-compose.yml:5:5: warning: processes.a: unknown key 'comand' (did you mean 'command'?)",
            ])
        // Long names that are a typo apart are still found: the band follows the diagonal however long they are.
        let name = String(repeating: "a", count: 1_500)
        #expect(NearestName.suggestion(for: name + "b", among: [name + "c", name + "cc"]) == name + "c")
        // Three slips are a long name's reach, four are not.
        #expect(NearestName.suggestion(for: name + "b", among: [name + "bcde"]) == name + "bcde")
        #expect(NearestName.suggestion(for: name + "b", among: [name + "bcdef"]) == nil)
    }
}
