import Testing

@testable import InitCore

@Suite(.timeLimit(.minutes(1))) struct ControlStatusTableTests {
    @Test func tableAlignsColumnsAndDashesMissingValues() {
        let report = StatusReport(
            ready: false, stopping: false,
            services: [
                StatusRow(name: "web", state: "running", ready: true, pid: 42, restarts: 0, uptimeSeconds: 12.5),
                StatusRow(name: "database", state: "restarting", restarts: 12, exitCode: 137),
                StatusRow(name: "migrate", state: "completed", exitCode: 0),
            ])
        #expect(
            StatusTable.render(report) == """
                NAME      STATE       READY  PID  RESTARTS  EXIT  UPTIME  CPU  MEM
                web       running     yes    42   0         -     12s     -    -
                database  restarting  no     -    12        137   -       -    -
                migrate   completed   no     -    0         0     -       -    -

                """)
    }

    @Test func detailsAndStoppingAreExplainedBelowTheTable() {
        let report = StatusReport(
            ready: false, stopping: true,
            services: [
                StatusRow(name: "api", state: "skipped", detail: "dependency db failed"),
                StatusRow(name: "db", state: "stopping", pid: 7, uptimeSeconds: 3725),
            ])
        #expect(
            StatusTable.render(report) == """
                NAME  STATE     READY  PID  RESTARTS  EXIT  UPTIME  CPU  MEM
                api   skipped   no     -    0         -     -       -    -
                db    stopping  no     7    0         -     1h02m   -    -

                api: dependency db failed

                pcinit is stopping

                """)
    }

    @Test func emptyReportIsJustTheHeader() {
        #expect(
            StatusTable.render(StatusReport(ready: true, stopping: false, services: []))
                == "NAME  STATE  READY  PID  RESTARTS  EXIT  UPTIME  CPU  MEM\n")
    }

    @Test(
        arguments: [
            (0.0 as Double, "0s"), (59.9, "59s"), (60, "1m00s"), (187, "3m07s"), (3600, "1h00m"), (7500, "2h05m"),
            (86400, "1d00h"), (97200 + 86400 * 3, "4d03h"), (-5, "0s"), (Double.infinity, "0s"),
        ] as [(Double, String)])
    func uptimeUsesAtMostTwoUnits(seconds: Double, text: String) {
        #expect(StatusTable.uptimeText(seconds) == text)
    }

    @Test func statusRowFromServiceStatusHasUptimeOnlyWhileUp() {
        let now = Instant(nanoseconds: 20_000_000_000)
        let running = ServiceStatus(
            name: "web", state: .running, ready: true, pid: 42, restarts: 1,
            startedAt: Instant(nanoseconds: 7_499_900_000))
        #expect(
            StatusRow(running, now: now)
                == StatusRow(name: "web", state: "running", ready: true, pid: 42, restarts: 1, uptimeSeconds: 12.5))
        let failed = ServiceStatus(
            name: "job", state: .failed, exitCode: 3, startedAt: Instant(nanoseconds: 1), detail: "exit status 3")
        #expect(
            StatusRow(failed, now: now)
                == StatusRow(name: "job", state: "failed", exitCode: 3, detail: "exit status 3"))
    }

    @Test func statusJSONHasTheDocumentedShapeAndReadsBack() throws {
        let report = StatusReport(
            ready: true, stopping: false,
            services: [StatusRow(name: "web", state: "running", ready: true, pid: 42, uptimeSeconds: 12.5)])
        let text = report.json.rendered()
        #expect(
            text
                == #"{"ready":true,"stopping":false,"services":[{"name":"web","state":"running","ready":true,"pid":42,"restarts":0,"exit_code":null,"uptime_seconds":12.5,"detail":null,"kill_in_seconds":null,"cpu_seconds":null,"memory_rss_bytes":null}]}"#
        )
        #expect(StatusReport(json: try JSONParser.parse(Array(text.utf8))) == report)
        #expect(StatusReport(json: .object([("ready", .bool(true))])) == nil)
    }
}

/// The control socket's `status` answer also says where the health listener is (for `pcinit --check`).
@Suite struct StatusReportHealthAddressTests {
    @Test func healthAddressIsAnOptionalFieldThatReadsBack() throws {
        let report = StatusReport(ready: true, stopping: false, services: [], healthAddress: "[::]:8559")
        let text = report.json.rendered()
        #expect(text == #"{"ready":true,"stopping":false,"services":[],"health_addr":"[::]:8559"}"#)
        #expect(StatusReport(json: try JSONParser.parse(Array(text.utf8)))?.healthAddress == "[::]:8559")
        // An older server's answer has no such field.
        let older = try JSONParser.parse(Array(#"{"ready":true,"stopping":false,"services":[]}"#.utf8))
        #expect(StatusReport(json: older)?.healthAddress == nil)
    }
}
