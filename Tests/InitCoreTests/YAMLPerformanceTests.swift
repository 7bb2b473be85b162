import InitCore
import Testing

/// A 500-service compose file (about 10k lines) must parse quickly (in CPU time: the machine may be busy).
@Suite(.onDedicatedThread) struct YAMLPerformanceTests {
    static func largeCompose(services: Int) -> String {
        var out =
            "version: \"0.5\"\nx-defaults: &defaults\n  availability:\n    restart: on_failure\n    backoff_seconds: 2\n"
        out += "processes:\n"
        for index in 0..<services {
            out += """
                  service-\(index):
                    <<: *defaults
                    command: "/usr/bin/server --port \(8000 + index) --name svc\(index)"
                    working_dir: /srv/service-\(index)
                    environment:
                      - PORT=\(8000 + index)
                      - NAME=svc\(index)
                      - 'QUOTED=a b'
                    depends_on:
                      service-\(max(index - 1, 0)):
                        condition: process_started
                    readiness_probe:
                      http_get: {host: 127.0.0.1, port: \(8000 + index), path: /health}
                      period_seconds: 5
                    script: |
                      echo starting \(index)
                      exec run
                    labels: [web, "tier-\(index % 3)", x]

                """
        }
        return out
    }

    @Test func fiveHundredServicesParseQuickly() throws {
        let text = Self.largeCompose(services: 500)
        #expect(text.split(separator: "\n").count > 9_000)
        var node: YAMLNode?
        let elapsed = try YAMLTestSupport.cpuTime { node = try YAMLReader.parse(text, file: "big.yml") }
        print("parsed \(text.utf8.count) bytes in \(elapsed)")
        guard case .mapping(let entries)? = node?.content, case .mapping(let processes) = entries[2].value.content
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(processes.count == 500)
        // Generous for unoptimized debug builds; release builds take a few milliseconds.
        #expect(elapsed < .seconds(3))
    }
}
