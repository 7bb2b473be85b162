/// `GET /metrics`: what dashboards read, per service (label `service`) and for pcinit itself.
extension HealthReport {
    /// Prometheus text format 0.0.4. Per service: `pcinit_service_up`, `pcinit_service_ready`,
    /// `pcinit_service_restarts_total`, `pcinit_service_last_exit_code` (services whose process ended),
    /// `pcinit_service_uptime_seconds` and `pcinit_service_start_time_seconds` (services with a process),
    /// `pcinit_service_state` (a state set: one series per state, 1 for the current one),
    /// `pcinit_service_cpu_seconds_total` and `pcinit_service_memory_rss_bytes` (services whose usage was read),
    /// `pcinit_probe_failures_total` (label `probe`); then `pcinit_ready`, `pcinit_stopping`,
    /// `pcinit_reaped_children_total`, `pcinit_build_info`.
    public static func metrics(
        services: [ServiceStatus], ready: Bool, stopping: Bool, reapedTotal: Int, now: Instant,
        version: String = BuildInfo.version
    ) -> String {
        typealias Sample = PrometheusText.Sample
        let number = PrometheusText.number
        var out = PrometheusText()
        out.family(
            "pcinit_service_up", .gauge, "1 when the service has a running process (or a launched daemon).",
            services.map { Sample(service: $0.name, hasProcess($0) ? "1" : "0") })
        out.family(
            "pcinit_service_ready", .gauge, "1 when the service counts as ready.",
            services.map { Sample(service: $0.name, $0.ready ? "1" : "0") })
        out.family(
            "pcinit_service_restarts_total", .counter, "Automatic restarts of the service.",
            services.map { Sample(service: $0.name, String($0.restarts)) })
        out.family(
            "pcinit_service_last_exit_code", .gauge, "Exit status of the service's last process (128+N for signal N).",
            services.compactMap { service in service.exitCode.map { Sample(service: service.name, String($0)) } })
        out.family(
            "pcinit_service_uptime_seconds", .gauge, "Seconds since the service's current process started.",
            services.compactMap { service in
                uptimeSeconds(service, now: now).map { Sample(service: service.name, number($0)) }
            })
        out.family(
            "pcinit_service_state", .gauge, "1 for the state the service is in, 0 for the others.",
            services.flatMap { service in
                ServiceState.allCases.map {
                    Sample([("service", service.name), ("state", $0.rawValue)], $0 == service.state ? "1" : "0")
                }
            })
        out.family(
            "pcinit_service_start_time_seconds", .gauge,
            "When the service's current process started, in seconds since 1970.",
            services.compactMap { service in
                guard hasProcess(service), let start = service.startTime else { return nil }
                return Sample(service: service.name, number(start.seconds))
            })
        out.family(
            "pcinit_service_cpu_seconds_total", .counter,
            "CPU time of the service's process group (user and system, with the children its members waited for).",
            services.compactMap { service in service.usage.map { Sample(service: service.name, number($0.cpuSeconds)) }
            })
        out.family(
            "pcinit_service_memory_rss_bytes", .gauge, "Resident memory of the service's process group, summed.",
            services.compactMap { service in
                service.usage.map { Sample(service: service.name, String($0.residentBytes)) }
            })
        out.family(
            "pcinit_probe_failures_total", .counter, "Failed checks of the service's readiness or liveness probe.",
            services.flatMap { service in
                service.probeFailures.map {
                    Sample([("service", service.name), ("probe", $0.probe.rawValue)], String($0.failures))
                }
            })
        out.family("pcinit_ready", .gauge, "1 when every service is ready and no stop has begun.", ready ? "1" : "0")
        out.family("pcinit_stopping", .gauge, "1 once pcinit has begun to stop.", stopping ? "1" : "0")
        out.family("pcinit_reaped_children_total", .counter, "Child processes reaped by pcinit.", String(reapedTotal))
        out.family(
            "pcinit_build_info", .gauge, "Always 1; the label says which pcinit this is.",
            [Sample([("version", version)], "1")])
        return out.text
    }

    static func escapeLabelValue(_ value: String) -> String { PrometheusText.escapeLabelValue(value) }
}
