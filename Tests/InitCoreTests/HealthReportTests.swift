import Testing

@testable import InitCore

@Suite struct HealthReportTests {
    static let now = Instant(nanoseconds: 112_500_000_000)

    static let services = [
        ServiceStatus(
            name: "web", state: .running, ready: true, pid: 42, startedAt: Instant(nanoseconds: 100_000_000_000)),
        ServiceStatus(
            name: "migrate", state: .completed, ready: true, lastExit: .exited(0), exitCode: 0,
            startedAt: Instant(nanoseconds: 1_000_000_000)),
        ServiceStatus(
            name: "worker", state: .restarting, restarts: 3, lastExit: .signaled(9), exitCode: 137,
            detail: "killed by \"SIGKILL\""),
    ]

    @Test(.timeLimit(.minutes(1))) func statusJSONListsEveryServiceInOrderWithNullsForMissingFields() {
        let json = HealthReport.statusJSON(services: Self.services, ready: false, stopping: false, now: Self.now)
        #expect(
            json.rendered() == """
                {"ready":false,"stopping":false,"services":[\
                {"name":"web","state":"running","ready":true,"pid":42,"restarts":0,"exit_code":null,\
                "uptime_seconds":12.5,"detail":null,"kill_in_seconds":null,"cpu_seconds":null,\
                "memory_rss_bytes":null},\
                {"name":"migrate","state":"completed","ready":true,"pid":null,"restarts":0,"exit_code":0,\
                "uptime_seconds":null,"detail":null,"kill_in_seconds":null,"cpu_seconds":null,\
                "memory_rss_bytes":null},\
                {"name":"worker","state":"restarting","ready":false,"pid":null,"restarts":3,"exit_code":137,\
                "uptime_seconds":null,"detail":"killed by \\"SIGKILL\\"","kill_in_seconds":null,"cpu_seconds":null,\
                "memory_rss_bytes":null}]}
                """)
    }

    @Test(.timeLimit(.minutes(1))) func statusJSONWithNoServicesIsAnEmptyList() {
        let json = HealthReport.statusJSON(services: [], ready: true, stopping: true, now: .zero)
        #expect(json.rendered() == #"{"ready":true,"stopping":true,"services":[]}"#)
    }

    @Test(.timeLimit(.minutes(1))) func uptimeIsWholeMillisecondsSinceTheProcessStarted() {
        let service = ServiceStatus(
            name: "a", state: .stopping, pid: 7, startedAt: Instant(nanoseconds: 1_000_000_000))
        let now = Instant(nanoseconds: 3_000_999_999)
        let json = HealthReport.statusJSON(services: [service], ready: false, stopping: true, now: now)
        #expect(json.rendered().contains(#""uptime_seconds":2.0,"#))
    }

    @Test(.timeLimit(.minutes(1))) func metricsRenderEveryFamilyWithHelpTypeAndLabelledSamples() {
        let text = HealthReport.metrics(
            services: Self.services, ready: false, stopping: false, reapedTotal: 17, now: Self.now)
        #expect(
            text == """
                # HELP pcinit_service_up 1 when the service has a running process (or a launched daemon).
                # TYPE pcinit_service_up gauge
                pcinit_service_up{service="web"} 1
                pcinit_service_up{service="migrate"} 0
                pcinit_service_up{service="worker"} 0
                # HELP pcinit_service_ready 1 when the service counts as ready.
                # TYPE pcinit_service_ready gauge
                pcinit_service_ready{service="web"} 1
                pcinit_service_ready{service="migrate"} 1
                pcinit_service_ready{service="worker"} 0
                # HELP pcinit_service_restarts_total Automatic restarts of the service.
                # TYPE pcinit_service_restarts_total counter
                pcinit_service_restarts_total{service="web"} 0
                pcinit_service_restarts_total{service="migrate"} 0
                pcinit_service_restarts_total{service="worker"} 3
                # HELP pcinit_service_last_exit_code Exit status of the service's last process (128+N for signal N).
                # TYPE pcinit_service_last_exit_code gauge
                pcinit_service_last_exit_code{service="migrate"} 0
                pcinit_service_last_exit_code{service="worker"} 137
                # HELP pcinit_service_uptime_seconds Seconds since the service's current process started.
                # TYPE pcinit_service_uptime_seconds gauge
                pcinit_service_uptime_seconds{service="web"} 12.5
                # HELP pcinit_service_state 1 for the state the service is in, 0 for the others.
                # TYPE pcinit_service_state gauge
                pcinit_service_state{service="web",state="pending"} 0
                pcinit_service_state{service="web",state="starting"} 0
                pcinit_service_state{service="web",state="running"} 1
                pcinit_service_state{service="web",state="launching"} 0
                pcinit_service_state{service="web",state="launched"} 0
                pcinit_service_state{service="web",state="restarting"} 0
                pcinit_service_state{service="web",state="stopping"} 0
                pcinit_service_state{service="web",state="completed"} 0
                pcinit_service_state{service="web",state="failed"} 0
                pcinit_service_state{service="web",state="stopped"} 0
                pcinit_service_state{service="web",state="skipped"} 0
                pcinit_service_state{service="web",state="disabled"} 0
                pcinit_service_state{service="web",state="not selected"} 0
                pcinit_service_state{service="migrate",state="pending"} 0
                pcinit_service_state{service="migrate",state="starting"} 0
                pcinit_service_state{service="migrate",state="running"} 0
                pcinit_service_state{service="migrate",state="launching"} 0
                pcinit_service_state{service="migrate",state="launched"} 0
                pcinit_service_state{service="migrate",state="restarting"} 0
                pcinit_service_state{service="migrate",state="stopping"} 0
                pcinit_service_state{service="migrate",state="completed"} 1
                pcinit_service_state{service="migrate",state="failed"} 0
                pcinit_service_state{service="migrate",state="stopped"} 0
                pcinit_service_state{service="migrate",state="skipped"} 0
                pcinit_service_state{service="migrate",state="disabled"} 0
                pcinit_service_state{service="migrate",state="not selected"} 0
                pcinit_service_state{service="worker",state="pending"} 0
                pcinit_service_state{service="worker",state="starting"} 0
                pcinit_service_state{service="worker",state="running"} 0
                pcinit_service_state{service="worker",state="launching"} 0
                pcinit_service_state{service="worker",state="launched"} 0
                pcinit_service_state{service="worker",state="restarting"} 1
                pcinit_service_state{service="worker",state="stopping"} 0
                pcinit_service_state{service="worker",state="completed"} 0
                pcinit_service_state{service="worker",state="failed"} 0
                pcinit_service_state{service="worker",state="stopped"} 0
                pcinit_service_state{service="worker",state="skipped"} 0
                pcinit_service_state{service="worker",state="disabled"} 0
                pcinit_service_state{service="worker",state="not selected"} 0
                # HELP pcinit_ready 1 when every service is ready and no stop has begun.
                # TYPE pcinit_ready gauge
                pcinit_ready 0
                # HELP pcinit_stopping 1 once pcinit has begun to stop.
                # TYPE pcinit_stopping gauge
                pcinit_stopping 0
                # HELP pcinit_reaped_children_total Child processes reaped by pcinit.
                # TYPE pcinit_reaped_children_total counter
                pcinit_reaped_children_total 17
                # HELP pcinit_build_info Always 1; the label says which pcinit this is.
                # TYPE pcinit_build_info gauge
                pcinit_build_info{version="\(BuildInfo.version)"} 1

                """)
    }

    @Test(.timeLimit(.minutes(1))) func metricsWithoutServicesHaveOnlyTheInitFamilies() {
        let text = HealthReport.metrics(services: [], ready: true, stopping: true, reapedTotal: 0, now: .zero)
        #expect(
            text == """
                # HELP pcinit_ready 1 when every service is ready and no stop has begun.
                # TYPE pcinit_ready gauge
                pcinit_ready 1
                # HELP pcinit_stopping 1 once pcinit has begun to stop.
                # TYPE pcinit_stopping gauge
                pcinit_stopping 1
                # HELP pcinit_reaped_children_total Child processes reaped by pcinit.
                # TYPE pcinit_reaped_children_total counter
                pcinit_reaped_children_total 0
                # HELP pcinit_build_info Always 1; the label says which pcinit this is.
                # TYPE pcinit_build_info gauge
                pcinit_build_info{version="\(BuildInfo.version)"} 1

                """)
    }

    @Test(.timeLimit(.minutes(1))) func metricsLabelValuesEscapeBackslashQuoteAndNewline() {
        let service = ServiceStatus(name: "a\\b\"c\nd", state: .launched)
        let text = HealthReport.metrics(services: [service], ready: true, stopping: false, reapedTotal: 0, now: .zero)
        #expect(text.contains(#"pcinit_service_up{service="a\\b\"c\nd"} 1"#))
        #expect(HealthReport.escapeLabelValue("plain-name_1") == "plain-name_1")
    }

    @Test(.timeLimit(.minutes(1))) func uptimeIsWrittenOnlyForServicesWithAProcess() {
        let services = [
            ServiceStatus(name: "starting", state: .starting, startedAt: .zero),
            ServiceStatus(name: "daemon", state: .launched, startedAt: .zero),
        ]
        let text = HealthReport.metrics(
            services: services, ready: true, stopping: false, reapedTotal: 0, now: Instant(nanoseconds: 3_000_000_000))
        #expect(text.contains("pcinit_service_uptime_seconds{service=\"daemon\"} 3\n"))
        #expect(!text.contains("pcinit_service_uptime_seconds{service=\"starting\"}"))
        #expect(!text.contains("pcinit_service_last_exit_code"))
    }
}
