/// One `depends_on` entry as written (before replica fan-out).
struct DependencyDraft {
    var name: String
    var condition: DependencyCondition
    var position: SourcePosition
}

/// A decoded `processes.<name>` entry, before replica expansion and cross-process checks.
struct ProcessDraft {
    /// Everything but `environment` (filled per replica) and `dependsOn` (filled after fan-out).
    var service: ServiceConfig
    var replicas: Int
    var dependencies: [DependencyDraft]
    /// Where the process's name was written.
    var position: SourcePosition
    var dotEnvDisabled: Bool
    /// `env_file` variables then `environment`, in precedence order.
    var ownEnvironment: [(String, String)]
    var readinessMechanisms: [String]
    /// Replicas whose templates render differently (`{{.PC_REPLICA_NUM}}`), one per replica in order;
    /// nil when every replica is `service` with `ownEnvironment`.
    var replicaVariants: [(service: ServiceConfig, ownEnvironment: [(String, String)])]?
}

/// What every process decoding needs from the project and the host.
struct ProcessDecodingContext {
    var workingDirectory: String
    var dotEnvLoader: DotEnvLoader
    var maxBackoff: Duration
    /// The image's /etc/passwd and /etc/group; nil when no process sets `user`.
    var users: UserDatabaseLoad? = nil
    /// pcinit's own uid:gid, for the not-root check of `user`; nil: not checked.
    var identity: ProcessIdentity? = nil
}

extension FieldReader {
    mutating func process(name: String, entry: ConfigEntry, context: ProcessDecodingContext) -> ProcessDraft? {
        let path = "processes.\(name)"
        let node = entry.value
        guard mapping(node, path, schema: ConfigSchemas.process) != nil else {
            if node.isNull { log.error("\(path): no 'command' or 'entrypoint'", at: entry.keyPosition) }
            return nil
        }
        let command = commandSpec(node, path, at: entry.keyPosition)

        let workingDir = nonEmpty(string(node["working_dir"], "\(path).working_dir")).map {
            ConfigPath.join(context.workingDirectory, $0)
        }
        var ownEnvironment: [(String, String)] = []
        if let envFile = nonEmpty(string(node["env_file"], "\(path).env_file")) {
            // Relative to working_dir when set, as process-compose does; else to pcinit's directory.
            let file = ConfigPath.join(workingDir ?? context.workingDirectory, envFile)
            ownEnvironment +=
                context.dotEnvLoader.load(
                    file, required: true, origin: node["env_file"]?.position, what: "\(path).env_file", log: &log) ?? []
        }
        ownEnvironment += environment(node["environment"], "\(path).environment")

        var service = ServiceConfig(name: name, command: command ?? .exec([]), workingDir: workingDir)
        service.file = entry.keyPosition.file
        service.location = entry.keyPosition.location
        service.description = string(node["description"], "\(path).description")
        service.availability = availability(
            node["availability"], "\(path).availability", maxBackoff: context.maxBackoff)
        service.successExitCodes = successExitCodes(node["success_exit_codes"], "\(path).success_exit_codes")
        service.readinessProbe = probe(
            node["readiness_probe"], "\(path).readiness_probe", workingDirectory: context.workingDirectory)
        service.livenessProbe = probe(
            node["liveness_probe"], "\(path).liveness_probe", workingDirectory: context.workingDirectory)
        service.readyLogLine = nonEmpty(string(node["ready_log_line"], "\(path).ready_log_line"))
        service.notify = bool(node["notify"], "\(path).notify") ?? false
        service.shutdown = shutdown(node["shutdown"], "\(path).shutdown")
        service.disabled = disabled(node, path)
        service.isDaemon = bool(node["is_daemon"], "\(path).is_daemon") ?? false
        _ = bool(node["is_template_disabled"], "\(path).is_template_disabled")
        terminalKeys(node, path, into: &service)
        let launchTimeout = nonNegativeInt(node["launch_timeout_seconds"], "\(path).launch_timeout_seconds") ?? 0
        service.launchTimeout = .seconds(launchTimeout < 1 ? 5 : launchTimeout)
        service.process = processSettings(node, path, users: context.users, identity: context.identity)
        service.logFile = logFile(node, path, workingDirectory: context.workingDirectory)

        var mechanisms: [String] = []
        if node["readiness_probe"].map({ !$0.isNull }) ?? false { mechanisms.append("readiness_probe") }
        if service.readyLogLine != nil { mechanisms.append("ready_log_line") }
        if service.notify { mechanisms.append("notify") }
        if mechanisms.count > 1 {
            // process-compose always rejects ready_log_line + readiness_probe; notify is one more way to be ready.
            let list = mechanisms.map { "'\($0)'" }.joined(separator: " and ")
            log.error("\(path): \(list) cannot be combined; choose one way to signal readiness", at: entry.keyPosition)
        }

        var replicas = nonNegativeInt(node["replicas"], "\(path).replicas") ?? 1
        // As many as `pcinit scale` accepts: `replicas: 100000000` would build that many services before anything
        // ran (found by Tests/Fuzz: the loader ran out of time and memory).
        if replicas > Invocation.maxReplicas {
            log.error(
                "\(path).replicas: must be at most \(Invocation.maxReplicas), found \(replicas)",
                at: node["replicas"]?.position)
            replicas = 1
        }
        // A draft is returned even without a command, so its dependencies are checked too (the
        // error already logged keeps the config from being used).
        return ProcessDraft(
            service: service,
            replicas: max(replicas, 1),
            dependencies: dependencies(node["depends_on"], "\(path).depends_on"),
            position: entry.keyPosition,
            dotEnvDisabled: bool(node["is_dotenv_disabled"], "\(path).is_dotenv_disabled") ?? false,
            ownEnvironment: ownEnvironment,
            readinessMechanisms: mechanisms
        )
    }

    /// `command` (string → shell; list → exec, a pcinit extension) or `entrypoint` (list → exec).
    private mutating func commandSpec(_ node: ConfigNode, _ path: String, at position: SourcePosition) -> CommandSpec? {
        let errorsBefore = log.errorCount
        var fromCommand: CommandSpec?
        if let commandNode = node["command"], !commandNode.isNull {
            switch commandNode.content {
            case .scalar(let text, _):
                fromCommand = text.isEmpty ? nil : .shell(text)
            case .sequence:
                if let inline = inlineShellCommand(commandNode, "\(path).command") {
                    fromCommand = inline
                } else if let argv = stringList(commandNode, "\(path).command") {
                    fromCommand = argv.isEmpty ? nil : .exec(argv)
                }
            case .mapping:
                return mismatch(commandNode, "\(path).command", "a string or a list of strings")
            }
        }
        var fromEntrypoint: CommandSpec?
        if let argv = stringList(node["entrypoint"], "\(path).entrypoint"), !argv.isEmpty {
            fromEntrypoint = .exec(argv)
        }
        if let fromCommand {
            if fromEntrypoint != nil {
                log.warning(
                    "\(path): both 'command' and 'entrypoint' are set; using 'command'",
                    at: node["entrypoint"]?.position)
            }
            return fromCommand
        }
        if let fromEntrypoint { return fromEntrypoint }
        // A wrong type was already reported; "missing" would only repeat it.
        if log.errorCount == errorsBefore { log.error("\(path): no 'command' or 'entrypoint'", at: position) }
        return nil
    }

    /// `is_disabled` ("true"/"false", a string upstream so an override file can turn it off) wins over `disabled`.
    private mutating func disabled(_ node: ConfigNode, _ path: String) -> Bool {
        let disabled = bool(node["disabled"], "\(path).disabled") ?? false
        guard let isDisabled = node["is_disabled"], !isDisabled.isNull else { return disabled }
        guard case .scalar(let text, _) = isDisabled.content,
            ["true", "false", "True", "False", "TRUE", "FALSE"].contains(text)
        else {
            log.error(
                "\(path).is_disabled: expected \"true\" or \"false\", found \(isDisabled.kindDescription)",
                at: isDisabled.position)
            return disabled
        }
        return text.lowercased() == "true"
    }

    private mutating func availability(_ node: ConfigNode?, _ path: String, maxBackoff: Duration) -> Availability {
        var result = Availability(maxBackoff: maxBackoff)
        guard let node, mapping(node, path, schema: ConfigSchemas.availability) != nil else { return result }
        let (restart, retries) = restartPolicy(node, path)
        result.restart = restart
        // process-compose waits max(backoff_seconds, 1).
        result.backoff = .seconds(max(nonNegativeInt(node["backoff_seconds"], "\(path).backoff_seconds") ?? 1, 1))
        if let seconds = nonNegativeInt(node["max_backoff_seconds"], "\(path).max_backoff_seconds") {
            result.maxBackoff = .seconds(max(seconds, 1))
        }
        if result.maxBackoff < result.backoff { result.maxBackoff = result.backoff }
        result.maxRestarts = retries ?? nonNegativeInt(node["max_restarts"], "\(path).max_restarts") ?? 0
        result.exitOnEnd = bool(node["exit_on_end"], "\(path).exit_on_end") ?? false
        result.exitOnSkipped = bool(node["exit_on_skipped"], "\(path).exit_on_skipped") ?? false
        return result
    }

    private mutating func successExitCodes(_ node: ConfigNode?, _ path: String) -> Set<Int32> {
        guard let node, !node.isNull else { return [] }
        guard case .sequence(let items) = node.content else { return mismatch(node, path, "a list of integers") ?? [] }
        var codes: Set<Int32> = []
        for (i, item) in items.enumerated() {
            guard let code = int(item, "\(path)[\(i)]") else { continue }
            guard (0...255).contains(code) else {
                log.error("\(path)[\(i)]: exit code \(code) is outside 0…255", at: item.position)
                continue
            }
            codes.insert(Int32(code))
        }
        return codes
    }

    /// pcinit always escalates to SIGKILL: `timeout_seconds` 0 or unset means 10 s.
    private mutating func shutdown(_ node: ConfigNode?, _ path: String) -> ShutdownConfig {
        var result = ShutdownConfig()
        guard let node, mapping(node, path, schema: ConfigSchemas.shutdown) != nil else { return result }
        result.command = nonEmpty(string(node["command"], "\(path).command"))
        if let signalNode = node["signal"], let text = string(signalNode, "\(path).signal") {
            if let number = SignalNames.number(of: text) {
                result.signal = number
            } else {
                log.error(
                    "\(path).signal: unknown signal '\(text)'; use a name such as SIGTERM, TERM, SIGRTMIN+3 or a number (1-31, 34-64)",
                    at: signalNode.position)
            }
        }
        let timeout = nonNegativeInt(node["timeout_seconds"], "\(path).timeout_seconds") ?? 0
        result.timeout = .seconds(timeout == 0 ? 10 : timeout)
        result.parentOnly = bool(node["parent_only"], "\(path).parent_only") ?? false
        return result
    }

    /// `depends_on: {name: {condition: …}}`. A missing condition means `process_completed`, as in
    /// process-compose ≥ 1.64.1 (its docs still say `process_started`), with a warning.
    private mutating func dependencies(_ node: ConfigNode?, _ path: String) -> [DependencyDraft] {
        guard let node, !node.isNull else { return [] }
        if case .sequence = node.content {
            log.error(
                "\(path): expected a mapping of process names to {condition: …}; the list form is not supported",
                at: node.position)
            return []
        }
        guard let entries = mapping(node, path, schema: nil) else { return [] }
        var result: [DependencyDraft] = []
        for entry in entries {
            let depPath = "\(path).\(entry.key)"
            var condition: DependencyCondition?
            if !entry.value.isNull {
                guard mapping(entry.value, depPath, schema: ConfigSchemas.dependency) != nil else { continue }
                if let conditionNode = entry.value["condition"], !conditionNode.isNull {
                    guard
                        let parsed = enumValue(
                            conditionNode, "\(depPath).condition", allowed: DependencyCondition.allCases)
                    else { continue }
                    condition = parsed
                }
            }
            if condition == nil {
                log.warning(
                    "\(depPath): no condition; using process_completed (waits until '\(entry.key)' has exited) as process-compose does",
                    at: entry.keyPosition)
            }
            result.append(
                DependencyDraft(name: entry.key, condition: condition ?? .processCompleted, position: entry.keyPosition)
            )
        }
        return result
    }
}
