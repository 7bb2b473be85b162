/// Prometheus text exposition format 0.0.4: every family once, `# HELP` and `# TYPE` before its samples.
extension HealthReport {
    /// Prometheus text format 0.0.4. Per service (label `service="name"`): `pcinit_service_up`,
    /// `pcinit_service_ready`, `pcinit_service_restarts_total`, `pcinit_service_last_exit_code` (services whose
    /// process ended), `pcinit_service_uptime_seconds` (services with a process); then `pcinit_ready`,
    /// `pcinit_stopping`, `pcinit_reaped_children_total`.
    public static func metrics(services: [ServiceStatus], ready: Bool, stopping: Bool, reapedTotal: Int, now: Instant)
        -> String
    {
        var out = ""
        family(
            &out, "pcinit_service_up", .gauge, "1 when the service has a running process (or a launched daemon).",
            services.map { ($0.name, hasProcess($0) ? "1" : "0") })
        family(
            &out, "pcinit_service_ready", .gauge, "1 when the service counts as ready.",
            services.map { ($0.name, $0.ready ? "1" : "0") })
        family(
            &out, "pcinit_service_restarts_total", .counter, "Automatic restarts of the service.",
            services.map { ($0.name, String($0.restarts)) })
        family(
            &out, "pcinit_service_last_exit_code", .gauge,
            "Exit status of the service's last process (128+N for signal N).",
            services.compactMap { service in service.exitCode.map { (service.name, String($0)) } })
        family(
            &out, "pcinit_service_uptime_seconds", .gauge, "Seconds since the service's current process started.",
            services.compactMap { service in uptimeSeconds(service, now: now).map { (service.name, number($0)) } })
        family(&out, "pcinit_ready", .gauge, "1 when every service is ready and no stop has begun.", ready ? "1" : "0")
        family(&out, "pcinit_stopping", .gauge, "1 once pcinit has begun to stop.", stopping ? "1" : "0")
        family(
            &out, "pcinit_reaped_children_total", .counter, "Child processes reaped by pcinit.", String(reapedTotal))
        return out
    }

    private enum MetricType: String {
        case gauge, counter
    }

    /// A per-service family; skipped entirely when no service has a sample for it.
    private static func family(
        _ out: inout String, _ name: String, _ type: MetricType, _ help: String,
        _ samples: [(service: String, value: String)]
    ) {
        guard !samples.isEmpty else { return }
        header(&out, name, type, help)
        for sample in samples {
            out += "\(name){service=\"\(escapeLabelValue(sample.service))\"} \(sample.value)\n"
        }
    }

    private static func family(_ out: inout String, _ name: String, _ type: MetricType, _ help: String, _ value: String)
    {
        header(&out, name, type, help)
        out += "\(name) \(value)\n"
    }

    private static func header(_ out: inout String, _ name: String, _ type: MetricType, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// Label values escape backslash, double quote and line feed (the format's only escapes).
    static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Shortest round-tripping decimal; whole numbers without a fraction (`12`, `12.5`).
    private static func number(_ value: Double) -> String {
        if value == value.rounded(.towardZero) && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
