import Testing

@testable import InitCore

@Suite struct ConfigLoaderProbeTests {
    func probe(_ body: String) -> (ProbeConfig?, [String]) {
        let result = loadConfig("processes:\n  a:\n    command: x\n    readiness_probe:\n" + body)
        return (result.service("a")?.readinessProbe, result.messages)
    }

    @Test func execProbeWithUpstreamDefaults() {
        let (probe, messages) = probe("      exec:\n        command: pg_isready\n")
        #expect(messages.isEmpty)
        #expect(probe == ProbeConfig(check: .exec(command: "pg_isready", workingDir: nil)))
        #expect(probe?.period == .seconds(10) && probe?.timeout == .seconds(1) && probe?.failureThreshold == 3)
    }

    @Test func httpProbeDefaultsHostPathSchemeAndPort() {
        let (probe, messages) = probe("      http_get:\n        port: \"8080\"\n")
        #expect(messages.isEmpty)
        #expect(
            probe?.check
                == .httpGet(host: "127.0.0.1", port: 8080, path: "/", scheme: "http", headers: [:], statusCode: 200))
        let (noPort, _) = self.probe(
            "      http_get:\n        host: web\n        path: healthz\n        headers: {X-Probe: pcinit}\n        status_code: 204\n"
        )
        #expect(
            noPort?.check
                == .httpGet(
                    host: "web", port: 80, path: "/healthz", scheme: "http", headers: ["X-Probe": "pcinit"],
                    statusCode: 204))
    }

    @Test func timingFieldsAreClampedLikeUpstream() {
        let (probe, messages) = probe(
            "      exec:\n        command: x\n      initial_delay_seconds: 2\n      period_seconds: 0\n      timeout_seconds: 0\n      success_threshold: 0\n      failure_threshold: 0\n"
        )
        #expect(messages.isEmpty)
        #expect(probe?.initialDelay == .seconds(2))
        #expect(probe?.period == .seconds(10))
        #expect(probe?.timeout == .seconds(1))
        #expect(probe?.successThreshold == 1)
        #expect(probe?.failureThreshold == 3)
    }

    @Test func tcpSocketAndItsAlias() {
        #expect(probe("      tcp_socket:\n        port: 5432\n").0?.check == .tcp(host: "127.0.0.1", port: 5432))
        #expect(probe("      tcp:\n        host: db\n        port: 6379\n").0?.check == .tcp(host: "db", port: 6379))
    }

    @Test func badPortsAreErrors() {
        #expect(
            probe("      http_get:\n        port: 0\n").1 == [
                "process-compose.yml:6:15: error: processes.a.readiness_probe.http_get.port: invalid port '0'; expected a number from 1 to 65535"
            ])
        #expect(
            probe("      tcp_socket:\n        port: 70000\n").1 == [
                "process-compose.yml:6:15: error: processes.a.readiness_probe.tcp_socket.port: invalid port '70000'; expected a number from 1 to 65535"
            ])
        #expect(
            probe("      tcp_socket:\n        port: http\n").1 == [
                "process-compose.yml:6:15: error: processes.a.readiness_probe.tcp_socket.port: invalid port 'http'; expected a number from 1 to 65535"
            ])
        #expect(
            probe("      tcp_socket:\n        host: db\n").1 == [
                "process-compose.yml:5:7: error: processes.a.readiness_probe.tcp_socket.port: required"
            ])
    }

    @Test func probeWithoutACheckIsAnError() {
        #expect(
            probe("      period_seconds: 5\n").1 == [
                "process-compose.yml:5:7: error: processes.a.readiness_probe: a probe needs one of 'exec', 'http_get' or 'tcp_socket'"
            ])
    }

    @Test func execWinsWhenSeveralChecksAreGiven() {
        let (probe, messages) = probe("      http_get:\n        port: 80\n      exec:\n        command: check\n")
        #expect(probe?.check == .exec(command: "check", workingDir: nil))
        #expect(
            messages == [
                "process-compose.yml:5:7: warning: processes.a.readiness_probe: several checks given; using 'exec' and ignoring 'http_get'"
            ])
    }

    @Test func httpsAndUnknownSchemesAreErrors() {
        #expect(
            probe("      http_get:\n        port: 443\n        scheme: https\n").1 == [
                "process-compose.yml:7:17: error: processes.a.readiness_probe.http_get.scheme: 'https' is not supported by pcinit (no TLS); probe the plain-HTTP port or use tcp_socket"
            ])
    }

    @Test func statusCodeOutsideTheSuccessRangeFallsBackTo200() {
        let (probe, messages) = probe("      http_get:\n        port: 80\n        status_code: 500\n")
        #expect(
            probe?.check
                == .httpGet(host: "127.0.0.1", port: 80, path: "/", scheme: "http", headers: [:], statusCode: 200))
        #expect(
            messages == [
                "process-compose.yml:7:22: warning: processes.a.readiness_probe.http_get.status_code: 500 is outside 1…399; using 200 as process-compose does"
            ])
    }

    @Test func livenessProbeAndExecWorkingDir() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    liveness_probe:\n      exec:\n        command: check\n        working_dir: tools\n      failure_threshold: 5\n"
        )
        #expect(
            result.service("a")?.livenessProbe
                == ProbeConfig(check: .exec(command: "check", workingDir: "/app/tools"), failureThreshold: 5))
    }
}
