/// The JSON printed by `pcinit config`: defaults filled in, `${VAR}` expanded, replicas expanded,
/// services in start order, durations in seconds. Each service's environment is shown in two
/// layers without pcinit's inherited environment, because that is only known at spawn:
/// `environment_defaults` (PC_PROC_NAME, PC_REPLICA_NUM, `.env`; the inherited environment
/// overrides these) and `environment` (top-level, `env_file`, the service's own; these override it).
extension ProjectConfig {
    public func effectiveJSON() -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let name { members.append(("name", .string(name))) }
        members += [
            ("files", .array(files.map { .string($0) })),
            (
                "shell",
                .object([("shell_command", .string(shell.command)), ("shell_argument", .string(shell.argument))])
            ),
            ("ordered_shutdown", .bool(orderedShutdown)),
            ("log_length", .int(Int64(logLength))),
            ("is_strict", .bool(isStrict)),
            ("x-pcinit", pcinit.json),
            ("services", .array(services.map { $0.json })),
        ]
        return .object(members)
    }
}

extension Duration {
    /// Whole seconds as an integer, otherwise a fraction.
    var jsonSeconds: JSONValue {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return .int(seconds) }
        return .double(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension PCInitSettings {
    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let healthAddr { members.append(("health_addr", .string(healthAddr))) }
        if let socketPath { members.append(("socket", .string(socketPath))) }
        if let stopTimeout { members.append(("stop_timeout", stopTimeout.jsonSeconds)) }
        if let grace { members.append(("grace", grace.jsonSeconds)) }
        if let mainDependsOn { members.append(("main_depends_on", .array(mainDependsOn.map { .string($0) }))) }
        if let maxBackoff { members.append(("max_backoff_seconds", maxBackoff.jsonSeconds)) }
        if let logLevel { members.append(("log_level", .string(logLevel))) }
        if sighup != .forward { members.append(("sighup", .string(sighup.rawValue))) }
        if let logFormat { members.append(("log_format", .string(logFormat.rawValue))) }
        if let logTimestamps { members.append(("log_timestamps", .bool(logTimestamps))) }
        return .object(members)
    }
}

extension ServiceConfig {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name))]
        if baseName != name {
            members += [("replica_of", .string(baseName)), ("replica_num", .int(Int64(replicaIndex)))]
        }
        if let description { members.append(("description", .string(description))) }
        switch command {
        case .shell(let text): members.append(("command", .string(text)))
        case .exec(let argv): members.append(("exec", .array(argv.map { .string($0) })))
        }
        if let workingDir { members.append(("working_dir", .string(workingDir))) }
        members.append(("environment_defaults", Self.envJSON(environment.belowInherited)))
        members.append(("environment", Self.envJSON(environment.aboveInherited)))
        members.append(
            (
                "depends_on",
                .object(dependsOn.map { ($0.service, .object([("condition", .string($0.condition.rawValue))])) })
            ))
        members.append(
            (
                "availability",
                .object([
                    ("restart", .string(availability.restart.rawValue)),
                    ("backoff_seconds", availability.backoff.jsonSeconds),
                    ("max_backoff_seconds", availability.maxBackoff.jsonSeconds),
                    ("max_restarts", .int(Int64(availability.maxRestarts))),
                    ("exit_on_end", .bool(availability.exitOnEnd)),
                    ("exit_on_skipped", .bool(availability.exitOnSkipped)),
                ])
            ))
        members.append(("success_exit_codes", .array(successExitCodes.sorted().map { .int(Int64($0)) })))
        if let readinessProbe { members.append(("readiness_probe", readinessProbe.json)) }
        if let livenessProbe { members.append(("liveness_probe", livenessProbe.json)) }
        if let readyLogLine { members.append(("ready_log_line", .string(readyLogLine))) }
        if notify { members.append(("notify", .bool(true))) }
        var shutdownMembers: [(String, JSONValue)] = []
        if let command = shutdown.command { shutdownMembers.append(("command", .string(command))) }
        shutdownMembers += [
            ("signal", .int(Int64(shutdown.signal))),
            ("timeout_seconds", shutdown.timeout.jsonSeconds),
            ("parent_only", .bool(shutdown.parentOnly)),
        ]
        members.append(("shutdown", .object(shutdownMembers)))
        members.append(("disabled", .bool(disabled)))
        members.append(("is_daemon", .bool(isDaemon)))
        if isTTY { members.append(("is_tty", .bool(true))) }
        if isDaemon { members.append(("launch_timeout_seconds", launchTimeout.jsonSeconds)) }
        members += process.jsonMembers
        if let logFile { members.append(("log_location", logFile.json)) }
        return .object(members)
    }

    /// Later entries win; order of first appearance is kept.
    static func envJSON(_ pairs: [(String, String)]) -> JSONValue {
        var order: [String] = []
        var values: [String: String] = [:]
        for (key, value) in pairs where values.updateValue(value, forKey: key) == nil { order.append(key) }
        return .object(order.map { ($0, .string(values[$0]!)) })
    }
}

extension ProbeConfig {
    var json: JSONValue {
        let check: (String, JSONValue)
        switch self.check {
        case .exec(let command, let workingDir):
            var members: [(String, JSONValue)] = [("command", .string(command))]
            if let workingDir { members.append(("working_dir", .string(workingDir))) }
            check = ("exec", .object(members))
        case .execArguments(let arguments, let workingDir):
            var members: [(String, JSONValue)] = [("command", .array(arguments.map { .string($0) }))]
            if let workingDir { members.append(("working_dir", .string(workingDir))) }
            check = ("exec", .object(members))
        case .httpGet(let host, let port, let path, let scheme, let headers, let statusCode):
            check = (
                "http_get",
                .object([
                    ("scheme", .string(scheme)), ("host", .string(host)), ("port", .int(Int64(port))),
                    ("path", .string(path)),
                    ("headers", .object(headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                    ("status_code", .int(Int64(statusCode))),
                ])
            )
        case .tcp(let host, let port):
            check = ("tcp_socket", .object([("host", .string(host)), ("port", .int(Int64(port)))]))
        }
        return .object([
            check,
            ("initial_delay_seconds", initialDelay.jsonSeconds),
            ("period_seconds", period.jsonSeconds),
            ("timeout_seconds", timeout.jsonSeconds),
            ("success_threshold", .int(Int64(successThreshold))),
            ("failure_threshold", .int(Int64(failureThreshold))),
        ])
    }
}

extension ProcessSettings {
    /// Only what is set: `user` (resolved), `umask` (octal text), `rlimits`, `no_new_privileges`.
    var jsonMembers: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if let user {
            var fields: [(String, JSONValue)] = [("spec", .string(user.spec))]
            if let name = user.name { fields.append(("name", .string(name))) }
            fields += [
                ("uid", .int(Int64(user.uid))), ("gid", .int(Int64(user.gid))),
                ("groups", .array(user.groups.map { .int(Int64($0)) })),
            ]
            if let home = user.home { fields.append(("home", .string(home))) }
            members.append(("user", .object(fields)))
        }
        if let umask {
            let octal = String(umask, radix: 8)
            members.append(("umask", .string(String(repeating: "0", count: max(0, 4 - octal.count)) + octal)))
        }
        if !resourceLimits.isEmpty {
            func value(_ limit: UInt64) -> JSONValue {
                limit == ResourceLimit.unlimited ? .string("unlimited") : .int(Int64(clamping: limit))
            }
            members.append(
                (
                    "rlimits",
                    .object(
                        resourceLimits.map {
                            ($0.resource.rawValue, .object([("soft", value($0.soft)), ("hard", value($0.hard))]))
                        })
                ))
        }
        if noNewPrivileges { members.append(("no_new_privileges", .bool(true))) }
        return members
    }
}

extension LogFileConfig {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("path", .string(path))]
        if let maxBytes { members.append(("max_size_mb", .int(Int64(maxBytes / (1024 * 1024))))) }
        members += [("max_backups", .int(Int64(maxBackups))), ("truncate", .bool(truncate))]
        return .object(members)
    }
}
