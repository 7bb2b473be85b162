/// The top level of the merged config, before processes are decoded.
struct ProjectDraft {
    var name: String?
    var shell = ShellConfig()
    var orderedShutdown = true
    var logLength = 1000
    var isStrict = false
    var pcinit = PCInitSettings()
    var environment: [(String, String)] = []
    /// `processes` entries in order of first appearance across the merged files.
    var processes: [ConfigEntry] = []
    /// `x-pcinit.main_depends_on` items with their positions, checked once the services are known.
    var mainDependsOnPositions: [SourcePosition] = []
}

extension FieldReader {
    /// Levels of process-compose's logger (zerolog); only validated, see README.
    static let upstreamLogLevels = ["trace", "debug", "info", "warn", "error", "fatal", "panic", "disabled"]
    static let pcinitLogLevels = ["error", "warn", "info", "debug"]

    mutating func project(_ root: ConfigNode, hostEnvironment: [String: String]) -> ProjectDraft {
        var draft = ProjectDraft()
        guard mapping(root, "config", schema: ConfigSchemas.project) != nil else { return draft }
        _ = string(root["version"], "version")
        _ = string(root["extends"], "extends")
        _ = bool(root["disable_env_expansion"], "disable_env_expansion")
        draft.name = string(root["name"], "name")
        draft.isStrict = bool(root["is_strict"], "is_strict") ?? false
        draft.orderedShutdown = bool(root["ordered_shutdown"], "ordered_shutdown") ?? true
        draft.logLength = nonNegativeInt(root["log_length"], "log_length") ?? 1000
        if let level = string(root["log_level"], "log_level"), !Self.upstreamLogLevels.contains(level.lowercased()) {
            log.strictError(
                "log_level: unknown log level '\(level)'; valid values are: \(Self.upstreamLogLevels.joined(separator: ", "))",
                at: root["log_level"]?.position)
        }
        draft.environment = environment(root["environment"], "environment")
        draft.shell = shell(root["shell"], defaultCommand: nonEmpty(hostEnvironment["COMPOSE_SHELL"]) ?? "/bin/sh")
        if let node = root["x-pcinit"] { (draft.pcinit, draft.mainDependsOnPositions) = pcinitSettings(node) }
        if let processes = root["processes"] {
            draft.processes = mapping(processes, "processes", schema: nil) ?? []
        }
        return draft
    }

    /// `shell: {shell_command, shell_argument}`; a missing half keeps pcinit's default (`/bin/sh`, `-c`).
    private mutating func shell(_ node: ConfigNode?, defaultCommand: String) -> ShellConfig {
        var shell = ShellConfig(command: defaultCommand, argument: "-c")
        guard let node, mapping(node, "shell", schema: ConfigSchemas.shell) != nil else { return shell }
        if let command = nonEmpty(string(node["shell_command"], "shell.shell_command")) { shell.command = command }
        if let argument = string(node["shell_argument"], "shell.shell_argument") { shell.argument = argument }
        return shell
    }

    private mutating func pcinitSettings(_ node: ConfigNode) -> (PCInitSettings, [SourcePosition]) {
        var settings = PCInitSettings()
        guard mapping(node, "x-pcinit", schema: ConfigSchemas.pcinit) != nil else { return (settings, []) }
        settings.healthAddr = nonEmpty(string(node["health_addr"], "x-pcinit.health_addr"))
        settings.socketPath = nonEmpty(string(node["socket"], "x-pcinit.socket"))
        settings.stopTimeout = duration(node["stop_timeout"], "x-pcinit.stop_timeout")
        settings.grace = duration(node["grace"], "x-pcinit.grace")
        if let seconds = nonNegativeInt(node["max_backoff_seconds"], "x-pcinit.max_backoff_seconds") {
            settings.maxBackoff = .seconds(max(seconds, 1))
        }
        if let level = string(node["log_level"], "x-pcinit.log_level") {
            if Self.pcinitLogLevels.contains(level) {
                settings.logLevel = level
            } else {
                log.error(
                    "x-pcinit.log_level: invalid value '\(level)'; valid values are: \(Self.pcinitLogLevels.joined(separator: ", "))",
                    at: node["log_level"]?.position)
            }
        }
        if let action = string(node["sighup"], "x-pcinit.sighup") {
            if let known = HangupAction(rawValue: action) {
                settings.sighup = known
            } else {
                log.error(
                    "x-pcinit.sighup: invalid value '\(action)'; valid values are: forward, reload",
                    at: node["sighup"]?.position)
            }
        }
        settings.logFormat = enumValue(node["log_format"], "x-pcinit.log_format", allowed: LogFormat.allCases)
        settings.logTimestamps = bool(node["log_timestamps"], "x-pcinit.log_timestamps")
        var positions: [SourcePosition] = []
        if let names = stringList(node["main_depends_on"], "x-pcinit.main_depends_on") {
            settings.mainDependsOn = names
            if case .sequence(let items) = node["main_depends_on"]!.content { positions = items.map { $0.position } }
        }
        return (settings, positions)
    }

    /// Seconds as a number (`10`, `0.5`) or a string with a unit (`"10s"`, `"500ms"`, `"2m"`).
    mutating func duration(_ node: ConfigNode?, _ path: String) -> Duration? {
        guard let text = string(node, path) else { return nil }
        if let duration = Self.parseDuration(text) { return duration }
        log.error(
            "\(path): invalid duration '\(text)'; write seconds (10, 0.5) or a number with ms, s, m or h",
            at: node?.position)
        return nil
    }

    static func parseDuration(_ text: String) -> Duration? { DurationText.parse(text) }
}
