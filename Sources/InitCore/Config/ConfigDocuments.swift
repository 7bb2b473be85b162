/// Reads config files into trees: raw text → `${VAR}` expansion → YAML → `ConfigNode`, following
/// top-level `extends:` (the extended file comes first, then the extending one).
struct ConfigDocuments {
    var readFile: (String) -> FileContents
    var lookup: (String) -> String?
    /// Display names of the files read, in merge order.
    var loadedFiles: [String] = []
    /// Every plain `${NAME}` that expanded to nothing, by file: the loader warns about those the file sets
    /// only under `environment:` (which the expansion cannot see).
    var emptyExpansions: [(file: String, expansion: EmptyExpansion)] = []
    /// Each file's text as it was parsed (expanded unless disable_env_expansion), by display name.
    var parsedTexts: [String: String] = [:]
    /// The previous load's trees (reused where a file's text is the same) and this load's, for the next one.
    var previous = ConfigDocumentCache()
    var parsed = ConfigDocumentCache()

    /// `origin`: the `extends:` that asked for this file, where a missing file is reported.
    mutating func load(
        display: String, absolute: String, explicit: Set<String>, chain: [String], origin: SourcePosition? = nil,
        log: inout DiagnosticLog
    ) -> [ConfigNode] {
        let text: String
        switch readFile(absolute) {
        case .text(let contents): text = contents
        case .missing:
            if let origin {
                log.error("extends: cannot read '\(display)': no such file", at: origin)
            } else {
                log.error("cannot read config file: no such file", at: nil, file: display)
            }
            return []
        case .unreadable(let reason):
            if let origin {
                log.error("extends: cannot read '\(display)': \(reason)", at: origin)
            } else {
                log.error("cannot read config file: \(reason)", at: nil, file: display)
            }
            return []
        }
        guard let root = parse(text, file: display, log: &log) else { return [] }

        var roots: [ConfigNode] = []
        if let extends = root["extends"], case .scalar(let target, _) = extends.content, !extends.isNull,
            !target.isEmpty
        {
            let targetAbsolute = ConfigPath.join(ConfigPath.directory(of: absolute), target)
            let targetDisplay =
                ConfigPath.isAbsolute(target) ? target : ConfigPath.join(ConfigPath.directory(of: display), target)
            if chain.contains(targetAbsolute) || targetAbsolute == absolute {
                log.error(
                    "extends: '\(target)' is circular (it leads back to a file that extends it)", at: extends.position)
            } else if explicit.contains(targetAbsolute) {
                log.error(
                    "extends: '\(target)' is also given with -f; give only the extending file", at: extends.position)
            } else {
                let extended = load(
                    display: targetDisplay, absolute: targetAbsolute, explicit: explicit, chain: chain + [absolute],
                    origin: extends.position, log: &log)
                let directory = ConfigPath.directory(of: targetAbsolute)
                roots += extended.enumerated().map { i, node in
                    // Only the directly extended file's processes run from its directory (deeper ones got theirs).
                    i == extended.count - 1 ? Self.defaultingWorkingDirectories(node, to: directory) : node
                }
            }
        }
        loadedFiles.append(display)
        roots.append(root)
        return roots
    }

    /// Expands, parses; `disable_env_expansion: true` re-parses the raw text, as process-compose does.
    private mutating func parse(_ raw: String, file: String, log: inout DiagnosticLog) -> ConfigNode? {
        var expansionError: EnvExpansionError?
        var text = raw
        var empty: [EmptyExpansion] = []
        do {
            text = try EnvExpander.expand(raw, lookup: lookup, empty: &empty)
        } catch {
            expansionError = error
        }
        var parseLog = DiagnosticLog()
        var root = parseYAML(text, file: file, emptyExpansions: empty, log: &parseLog)
        let wantsRaw = root.map { Self.disablesExpansion($0) } ?? false
        if expansionError != nil || wantsRaw {
            var rawLog = DiagnosticLog()
            let rawRoot = parseYAML(raw, file: file, emptyExpansions: [], log: &rawLog)
            if let rawRoot, Self.disablesExpansion(rawRoot) {
                root = rawRoot
                parseLog = rawLog
                expansionError = nil
                empty = []
            }
        }
        if let expansionError {
            log.error(expansionError.message, at: SourcePosition(file: file, location: expansionError.location))
            return nil
        }
        log.append(contentsOf: parseLog)
        emptyExpansions += empty.map { (file, $0) }
        if let root { parsedTexts[file] = Self.disablesExpansion(root) ? raw : text }
        return root
    }

    /// `emptyExpansions`: a YAML error on a line where a `${VAR}` came out empty names it, since the cause
    /// is then the environment, not the text the user sees.
    private mutating func parseYAML(
        _ text: String, file: String, emptyExpansions: [EmptyExpansion], log: inout DiagnosticLog
    ) -> ConfigNode? {
        if let hit = previous.document(file: file, text: text) {
            log.append(contentsOf: hit.log)
            parsed.documents[file] = hit
            return hit.root
        }
        var fresh = DiagnosticLog()
        let root = parseYAMLAfresh(text, file: file, emptyExpansions: emptyExpansions, log: &fresh)
        if let root, !fresh.items.contains(where: { $0.severity == .error }) {
            parsed.documents[file] = ConfigDocumentCache.Document(text: text, root: root, log: fresh)
        }
        log.append(contentsOf: fresh)
        return root
    }

    private func parseYAMLAfresh(
        _ text: String, file: String, emptyExpansions: [EmptyExpansion], log: inout DiagnosticLog
    ) -> ConfigNode? {
        let document: YAMLNode?
        var warnings: [YAMLWarning] = []
        do {
            document = try YAMLReader.parse(text, file: file, warnings: &warnings)
        } catch {
            var message = error.message
            let onLine = emptyExpansions.filter { $0.outputLine == error.location.line }
            if !onLine.isEmpty {
                let notes = onLine.map { "${\($0.name)} is \($0.isSet ? "set but empty" : "not set")" }
                let it = onLine.count == 1 ? "it" : "they"
                message += " (note: \(notes.joined(separator: ", ")), so \(it) expanded to nothing on this line)"
            }
            log.error(message, at: SourcePosition(file: file, location: error.location))
            return nil
        }
        for warning in warnings { log.yamlWarning(warning) }
        guard let document else {
            return ConfigNode(
                .mapping([]), position: SourcePosition(file: file, location: SourceLocation(line: 1, column: 1)))
        }
        let root = ConfigNode(document, file: file, log: &log)
        if root.isNull { return ConfigNode(.mapping([]), position: root.position) }
        guard root.entries != nil else {
            log.error(
                "expected a mapping with 'processes' at the top level, found \(root.kindDescription)", at: root.position
            )
            return nil
        }
        return root
    }

    private static func disablesExpansion(_ root: ConfigNode) -> Bool {
        root["disable_env_expansion"]?.booleanValue ?? false
    }

    /// Processes of an extended file without `working_dir` run in that file's directory; a relative one is relative to it.
    static func defaultingWorkingDirectories(_ root: ConfigNode, to directory: String) -> ConfigNode {
        guard var entries = root.entries, let i = entries.firstIndex(where: { $0.key == "processes" }),
            var processes = entries[i].value.entries
        else { return root }
        for p in processes.indices {
            guard var fields = processes[p].value.entries else { continue }
            if let w = fields.firstIndex(where: { $0.key == "working_dir" }),
                case .scalar(let dir, _) = fields[w].value.content, !fields[w].value.isNull, !dir.isEmpty
            {
                fields[w].value = .string(ConfigPath.join(directory, dir), at: fields[w].value.position)
            } else {
                fields.removeAll { $0.key == "working_dir" }
                let position = processes[p].keyPosition
                fields.append(
                    ConfigEntry(key: "working_dir", keyPosition: position, value: .string(directory, at: position)))
            }
            processes[p].value = ConfigNode(
                .mapping(fields), position: processes[p].value.position, tag: processes[p].value.tag)
        }
        entries[i].value = ConfigNode(
            .mapping(processes), position: entries[i].value.position, tag: entries[i].value.tag)
        return ConfigNode(.mapping(entries), position: root.position, tag: root.tag)
    }
}
