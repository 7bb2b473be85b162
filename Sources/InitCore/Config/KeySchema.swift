/// What pcinit does with each key of one mapping level of the config.
struct KeySchema {
    /// Keys pcinit reads.
    var supported: Set<String>
    /// Keys accepted and ignored: key → why (nil: silently, because ignoring them changes nothing).
    var ignored: [String: String?] = [:]
    /// process-compose features pcinit cannot honour: key → what the feature is. An error unless
    /// the value is false/empty/null (then it asks for nothing and is accepted).
    var unsupported: [String: String] = [:]
    /// Keys a user may plausibly put here by mistake → the key they meant.
    var hints: [String: String] = [:]
    /// Keys that belong to another level (`readiness_probe` under `availability`) → where they go.
    var misplaced: [String: String] = [:]
    /// `x-*` keys are extensions, ignored (the top-level `x-pcinit` is read separately).
    var allowsExtensions = true
}

extension FieldReader {
    /// Reports unknown, ignored and unsupported keys of a mapping at `path`.
    mutating func checkKeys(_ entries: [ConfigEntry], path: String, schema: KeySchema) {
        for entry in entries {
            let key = entry.key
            if schema.supported.contains(key) { continue }
            if schema.allowsExtensions && key.hasPrefix("x-") { continue }
            if let reason = schema.ignored[key] {
                if let reason {
                    log.warning("\(path): '\(key)' is ignored by pcinit (\(reason))", at: entry.keyPosition)
                }
                continue
            }
            if let feature = schema.unsupported[key] {
                if !entry.value.asksForNothing {
                    log.error("\(path): '\(key)' is not supported by pcinit (\(feature))", at: entry.keyPosition)
                }
                continue
            }
            var message = "\(path): unknown key '\(key)'"
            if let hint = schema.hints[key] {
                message += " (did you mean '\(hint)'?)"
            } else if let place = schema.misplaced[key] {
                message += " (it belongs \(place))"
            } else if let near = NearestName.suggestion(for: key, among: schema.knownKeys) {
                message += " (did you mean '\(near)'?)"
                // A misspelt block silently means the defaults of the block it was meant to be: say so.
                if entry.value.entries != nil, !entries.contains(where: { $0.key == near }) {
                    message += "; its settings are ignored, so '\(near)' keeps its defaults"
                }
            }
            log.strictError(message, at: entry.keyPosition)
        }
    }
}

extension KeySchema {
    /// Every key this level knows, whatever pcinit does with it: what a typo is compared with.
    var knownKeys: [String] { Array(supported) + Array(ignored.keys) + Array(unsupported.keys) }
}

extension ConfigNode {
    /// null, `false`, `0`, `""`, `[]` or `{}`: a value that requests no behaviour.
    var asksForNothing: Bool {
        switch content {
        case .mapping(let entries): return entries.isEmpty
        case .sequence(let items): return items.isEmpty
        case .scalar(let text, let style):
            if isNull || booleanValue == false { return true }
            if style == .plain { return text == "0" }
            return text.isEmpty
        }
    }
}

/// The key tables for every level of a process-compose file.
enum ConfigSchemas {
    static let project = KeySchema(
        supported: [
            "version", "name", "processes", "environment", "shell", "is_strict", "ordered_shutdown", "log_length",
            "log_level", "disable_env_expansion", "extends", "vars", "env_cmds",
        ],
        ignored: [
            "is_tui_disabled": nil,
            "log_location": "pcinit writes every service's output to its own stdout/stderr",
            "log_configuration": "pcinit writes every service's output to its own stdout/stderr",
            "log_format": "process-compose never reads it either",
            "file_names": "computed by process-compose",
            "env_file_names": "computed by process-compose",
            "dot_env_vars": "computed by process-compose",
        ],
        unsupported: [
            "mcp_server": "MCP server"
        ]
    )

    static let process = KeySchema(
        supported: [
            "command", "entrypoint", "working_dir", "environment", "env_file", "is_dotenv_disabled", "depends_on",
            "availability", "success_exit_codes", "readiness_probe", "liveness_probe", "ready_log_line", "notify",
            "shutdown", "disabled", "is_disabled", "replicas", "is_daemon", "launch_timeout_seconds", "extends",
            "description", "user", "umask", "rlimits", "no_new_privileges", "log_location", "log_configuration",
            "truncate_log", "vars", "is_template_disabled", "is_tty", "is_interactive", "is_foreground",
            "is_elevated",
        ],
        ignored: [
            "namespace": nil,
            "disable_ansi_colors": nil,
            "monitor_for": nil,
            "monitor_silence_threshold": nil,
            "name": "the name is the key under 'processes'",
            "executable": "computed by process-compose",
            "args": "computed by process-compose; use entrypoint or a command list",
            "replica_num": "computed by process-compose",
            "replica_name": "computed by process-compose",
            "original_config": "computed by process-compose",
        ],
        unsupported: [
            "schedule": "cron and interval jobs",
            "watch": "restart on file changes",
            "mcp": "MCP tools",
        ],
        hints: [
            "restart": "availability.restart", "healthcheck": "readiness_probe", "readiness": "readiness_probe",
            "liveness": "liveness_probe", "depends": "depends_on", "env": "environment", "cwd": "working_dir",
            "run_as": "user", "run-as": "user", "ulimits": "rlimits", "limits": "rlimits",
            "workdir": "working_dir", "stop_signal": "shutdown.signal",
            "backoff_seconds": "availability.backoff_seconds",
            "max_restarts": "availability.max_restarts", "exit_on_end": "availability.exit_on_end",
        ]
    )

    static let availability = KeySchema(
        supported: [
            "restart", "backoff_seconds", "max_restarts", "exit_on_end", "exit_on_skipped", "max_backoff_seconds",
        ],
        misplaced: processKeys(except: ["restart"])
    )

    static let shutdown = KeySchema(
        supported: ["command", "signal", "timeout_seconds", "parent_only"],
        unsupported: ["send_keys": "keys written to a pseudo-terminal"],
        misplaced: processKeys(except: ["command"])
    )

    static let probe = KeySchema(
        supported: [
            "exec", "http_get", "tcp_socket", "tcp", "initial_delay_seconds", "period_seconds", "timeout_seconds",
            "success_threshold", "failure_threshold",
        ],
        misplaced: [
            "command": "under 'exec:'", "host": "under 'http_get:' or 'tcp_socket:'",
            "port": "under 'http_get:' or 'tcp_socket:'", "path": "under 'http_get:'", "scheme": "under 'http_get:'",
            "url": "under 'http_get:'",
        ]
    )

    /// A process-level key written inside one of the process's blocks.
    private static func processKeys(except: Set<String>) -> [String: String] {
        var result: [String: String] = [:]
        for key in process.supported.subtracting(except) { result[key] = "directly under the process, one level up" }
        return result
    }

    static let execCheck = KeySchema(supported: ["command", "working_dir"])
    static let httpCheck = KeySchema(
        supported: ["host", "port", "path", "scheme", "headers", "status_code", "url"],
        ignored: ["num_port": "computed by process-compose from 'port'"]
    )
    static let tcpCheck = KeySchema(supported: ["host", "port"])
    static let dependency = KeySchema(supported: ["condition"])
    static let resourceLimit = KeySchema(supported: ["soft", "hard"])
    static let logConfiguration = KeySchema(
        supported: ["rotation"],
        ignored: [
            "fields_order": "pcinit writes the line, or a JSON object with log_format: json",
            "disable_json": "pcinit writes the line, or a JSON object with log_format: json",
            "timestamp_format": "timestamps are RFC 3339 (x-pcinit.log_timestamps)",
            "add_timestamp": "use x-pcinit.log_timestamps",
            "no_color": "files never get colours",
            "no_metadata": "pcinit writes no metadata in text files",
            "flush_each_line": "pcinit writes every batch of lines at once",
        ]
    )
    static let logRotation = KeySchema(
        supported: ["max_size_mb", "max_backups"],
        ignored: [
            "max_age_days": "rotated files are bounded by max_backups",
            "compress": "rotated files are not compressed",
            "directory": "the file is 'log_location'",
            "filename": "the file is 'log_location'",
        ]
    )
    static let shell = KeySchema(
        supported: ["shell_command", "shell_argument"],
        ignored: ["elevated_shell_command": nil, "elevated_shell_argument": nil]
    )
    static let pcinit = KeySchema(
        supported: [
            "health_addr", "socket", "stop_timeout", "grace", "main_depends_on", "max_backoff_seconds", "log_level",
            "sighup",
            "log_format", "log_timestamps",
        ],
        allowsExtensions: false
    )
}
