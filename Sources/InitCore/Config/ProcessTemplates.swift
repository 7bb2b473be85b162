/// Renders a process's templates where process-compose renders them, once per replica: `command` (unless
/// `is_template_disabled`), `working_dir`, `description`, `environment`, `log_location`, the probes' `exec.command`,
/// `http_get` host/port/path/scheme (and pcinit's `url` and `tcp_socket` host/port). The variables are the
/// top-level `vars`, then the process's own `vars`, then `PC_REPLICA_NUM`, later ones winning.
struct ProcessTemplates {
    /// Top-level `vars:`.
    var projectVars: [String: GoTemplate.Value]
    /// Each file's text as parsed, by display name: diagnostics find the construct's line and column there.
    var sourceTexts: [String: String]

    /// The process with its templates rendered for one replica, and whether it used `PC_REPLICA_NUM` (only
    /// then do replicas differ). Errors name the field, the construct and its line.
    func render(_ entry: ConfigEntry, replica: Int, log: inout DiagnosticLog) -> (entry: ConfigEntry, perReplica: Bool)
    {
        let path = "processes.\(entry.key)"
        guard entry.value.entries != nil, Self.hasActions(entry.value) else { return (entry, false) }
        var reader = FieldReader(log: DiagnosticLog())
        var vars = projectVars
        if let node = entry.value["vars"], !node.isNull {
            for (name, value) in Self.vars(node, "\(path).vars", log: &log) { vars[name] = value }
        }
        vars["PC_REPLICA_NUM"] = .text(String(replica))
        let commandDisabled = reader.bool(entry.value["is_template_disabled"], "") ?? false
        var used: Set<String> = []
        var renderer = Renderer(vars: vars, usedNames: used, sourceTexts: sourceTexts)
        var process = entry.value
        var fields = ["working_dir", "description", "environment", "log_location"]
        if !commandDisabled { fields.append("command") }
        for field in fields {
            renderer.inCommand = field == "command"
            process = renderer.render(process, at: [field], path: path, log: &log)
        }
        renderer.inCommand = false
        let probeFields = [
            ["exec", "command"], ["http_get", "host"], ["http_get", "port"], ["http_get", "path"],
            ["http_get", "scheme"], ["http_get", "url"], ["tcp_socket", "host"], ["tcp_socket", "port"],
            ["tcp", "host"], ["tcp", "port"],
        ]
        for probe in ["readiness_probe", "liveness_probe"] where process[probe] != nil {
            for field in probeFields { process = renderer.render(process, at: [probe] + field, path: path, log: &log) }
        }
        used = renderer.usedNames
        var rendered = entry
        rendered.value = process
        return (rendered, used.contains("PC_REPLICA_NUM"))
    }

    /// `vars:` as template values; a mapping is required (process-compose's `vars` is a map).
    static func vars(_ node: ConfigNode, _ path: String, log: inout DiagnosticLog) -> [String: GoTemplate.Value] {
        guard let entries = node.entries else {
            if !node.isNull {
                log.error(
                    "\(path): expected a mapping of names to values, found \(node.kindDescription)", at: node.position)
            }
            return [:]
        }
        var result: [String: GoTemplate.Value] = [:]
        for entry in entries { result[entry.key] = value(entry.value) }
        return result
    }

    private static func value(_ node: ConfigNode) -> GoTemplate.Value {
        switch node.content {
        case .scalar(let text, _): return node.isNull ? .unrenderable(kind: "null") : .text(text)
        case .sequence: return .unrenderable(kind: "a list")
        case .mapping(let entries):
            var members: [String: GoTemplate.Value] = [:]
            for entry in entries { members[entry.key] = value(entry.value) }
            return .mapping(members)
        }
    }

    /// Whether any scalar of the process has a `{{` (most processes have none).
    private static func hasActions(_ node: ConfigNode) -> Bool {
        switch node.content {
        case .scalar(let text, _): return GoTemplate.hasActions(text)
        case .sequence(let items): return items.contains(where: hasActions)
        case .mapping(let entries): return entries.contains { $0.key != "vars" && hasActions($0.value) }
        }
    }

    private struct Renderer {
        var vars: [String: GoTemplate.Value]
        var usedNames: Set<String>
        var sourceTexts: [String: String]
        /// Rendering the process's `command` (whose errors can point at `is_template_disabled`).
        var inCommand = false

        /// The node with the scalars at `keys` (every item of a list; every value of a mapping at the last
        /// level, as `environment` has) rendered.
        mutating func render(_ node: ConfigNode, at keys: [String], path: String, log: inout DiagnosticLog)
            -> ConfigNode
        {
            guard let key = keys.first, var entries = node.entries,
                let index = entries.lastIndex(where: { $0.key == key })
            else { return node }
            let childPath = "\(path).\(key)"
            var child = entries[index].value
            if keys.count > 1 {
                child = render(child, at: Array(keys.dropFirst()), path: childPath, log: &log)
            } else {
                child = renderLeaf(child, path: childPath, log: &log)
            }
            entries[index].value = child
            return ConfigNode(.mapping(entries), position: node.position, tag: node.tag)
        }

        private mutating func renderLeaf(_ node: ConfigNode, path: String, log: inout DiagnosticLog) -> ConfigNode {
            switch node.content {
            case .scalar(let text, let style):
                guard GoTemplate.hasActions(text) else { return node }
                switch GoTemplate.render(text, vars: vars, usedNames: &usedNames) {
                case .success(let rendered):
                    return ConfigNode(.scalar(text: rendered, style: style), position: node.position, tag: node.tag)
                case .failure(let failure):
                    // A command can opt out of rendering altogether (JSON, docker -f formats).
                    let optOut = inCommand ? " (or set is_template_disabled: true to run the command as written)" : ""
                    log.error("\(path): \(failure.message)\(optOut)", at: position(of: failure, in: text, node))
                    return node
                }
            case .sequence(let items):
                let rendered = items.enumerated().map { i, item in renderLeaf(item, path: "\(path)[\(i)]", log: &log) }
                return ConfigNode(.sequence(rendered), position: node.position, tag: node.tag)
            case .mapping(var entries):
                for i in entries.indices {
                    entries[i].value = renderLeaf(entries[i].value, path: "\(path).\(entries[i].key)", log: &log)
                }
                return ConfigNode(.mapping(entries), position: node.position, tag: node.tag)
            }
        }

        /// Where the construct was written: found in the source lines from the scalar's line on; else the
        /// scalar's own position (a quoted scalar whose escapes changed the text).
        func position(of failure: GoTemplate.Failure, in text: String, _ node: ConfigNode) -> SourcePosition {
            let start = node.position.location.line
            if let source = sourceTexts[node.position.file], start >= 1 {
                // Lines as the YAML reader counts them: "\r" alone ends one too ("\r\n" is one Character). With
                // "\n" only, a file of bare "\r" had fewer lines than the node's line number, and the range below
                // trapped (found by Tests/Fuzz).
                let isBreak: (Character) -> Bool = { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
                let lines = source.split(omittingEmptySubsequences: false, whereSeparator: isBreak)
                let span = text.count(where: isBreak) + 3
                let end = min(lines.count + 1, start + span)
                for line in start..<max(start, end) {
                    if let column = GoTemplate.column(of: failure.action, in: lines[line - 1]) {
                        return SourcePosition(
                            file: node.position.file, location: SourceLocation(line: line, column: column))
                    }
                }
            }
            return node.position
        }
    }
}
