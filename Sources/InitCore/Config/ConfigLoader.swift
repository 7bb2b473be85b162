/// Loads, merges and validates process-compose files into a `ProjectConfig`.
/// Pure: the file system and the environment are injected, so tests pass fakes.
public struct ConfigLoader {
    /// pcinit's own environment: `${VAR}` expansion falls back to it after `.env`.
    public var environment: [String: String]
    /// Relative config paths, `working_dir` and `env_file` resolve against it.
    public var workingDirectory: String
    /// Reads a file by absolute path.
    public var readFile: (String) -> FileContents
    /// Runs an `env_cmds` command (the shell side supplies it); nil: they are not run, with a warning.
    public var runEnvCommand: ((EnvCommandRequest) -> EnvCommandResult)?
    /// `-e/--env FILE` (process-compose's flag): dotenv files for `${VAR}` expansion and the services'
    /// `.env` layer, in place of the `.env` next to the config; later files win. nil: that `.env`.
    public var envFiles: [String]?
    /// Where `user:` names are looked up (the image's files; tests point elsewhere).
    public var passwdPath = "/etc/passwd"
    public var groupPath = "/etc/group"
    /// pcinit's own uid:gid: when not root, `user` may only name pcinit's own account. nil: not checked.
    public var identity: ProcessIdentity?
    /// `pcinit scale NAME=N`: replica counts that replace the file's, by process name.
    public var replicaOverrides: [String: Int] = [:]
    /// The previous load's parsed files (`ConfigLoadResult.documentCache`): a reload reuses what did not change.
    public var documentCache = ConfigDocumentCache()

    public init(
        environment: [String: String], workingDirectory: String, readFile: @escaping (String) -> FileContents,
        runEnvCommand: ((EnvCommandRequest) -> EnvCommandResult)? = nil, envFiles: [String]? = nil
    ) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.readFile = readFile
        self.runEnvCommand = runEnvCommand
        self.envFiles = envFiles
    }

    /// Reads `files` (later ones override earlier ones), expands, merges, validates. Every problem
    /// found is in `diagnostics`; `config` is nil when at least one of them is an error.
    public func load(files: [String]) -> ConfigLoadResult {
        var log = DiagnosticLog()
        guard let first = files.first else {
            log.error("no config file given", at: nil, file: "pcinit")
            return ConfigLoadResult(config: nil, diagnostics: log.items)
        }
        let dotEnvLoader = DotEnvLoader(readFile: readFile, environment: environment)
        let dotEnv = loadDotEnv(first: first, loader: dotEnvLoader, log: &log)
        let dotEnvValues = Dictionary(pairs: dotEnv, uniquingKeysWith: { _, b in b })
        let lookup: (String) -> String? = { dotEnvValues[$0] ?? environment[$0] }

        var documents = ConfigDocuments(readFile: readFile, lookup: lookup)
        documents.previous = documentCache
        let explicit = Set(files.map { ConfigPath.join(workingDirectory, $0) })
        var roots: [ConfigNode] = []
        for file in files {
            roots += documents.load(
                display: file, absolute: ConfigPath.join(workingDirectory, file), explicit: explicit, chain: [],
                log: &log)
        }
        guard var merged = roots.first else { return finish(nil, log, order: documents.loadedFiles, documents) }
        for root in roots.dropFirst() { merged = ConfigMerge.mergeProject(merged, root) }

        var reader = FieldReader(log: log)
        // is_strict decides the severity of everything else, so it is read first.
        // The YAML reader's warnings, recorded while parsing, become errors under it here too.
        reader.log.applyStrict(merged.entries != nil && (reader.bool(merged["is_strict"], "is_strict") ?? false))
        var project = reader.project(merged, hostEnvironment: environment)
        project.processes = ProcessExtends.resolve(project.processes, log: &reader.log)
        if project.processes.isEmpty { reportNoProcesses(merged, files: documents.loadedFiles, log: &reader.log) }
        project.environment += reader.envCommands(merged["env_cmds"], shell: project.shell, run: runEnvCommand)

        let needsUsers = project.processes.contains { $0.value["user"].map { !$0.isNull } ?? false }
        let context = ProcessDecodingContext(
            workingDirectory: workingDirectory, dotEnvLoader: dotEnvLoader,
            maxBackoff: project.pcinit.maxBackoff ?? .seconds(30),
            users: needsUsers
                ? UserDatabaseLoad(passwdPath: passwdPath, groupPath: groupPath, readFile: readFile) : nil,
            identity: identity)
        let templates = ProcessTemplates(
            projectVars: merged["vars"].map { ProcessTemplates.vars($0, "vars", log: &reader.log) } ?? [:],
            sourceTexts: documents.parsedTexts)
        // process-compose's PC_DISABLED_PROCESSES=a,b disables processes without editing the file.
        let disabledByEnvironment = Set(
            (environment["PC_DISABLED_PROCESSES"] ?? "").split(separator: ",").map { String($0.trimmingSpaces()) })
        var drafts: [ProcessDraft] = []
        for entry in project.processes {
            guard var draft = decode(entry, templates: templates, context: context, reader: &reader) else { continue }
            if disabledByEnvironment.contains(entry.key) {
                draft.service.disabled = true
                for i in draft.replicaVariants?.indices ?? 0..<0 { draft.replicaVariants![i].service.disabled = true }
            }
            drafts.append(draft)
        }
        warnAboutFileOnlyVariables(documents.emptyExpansions, project: project, drafts: drafts, log: &reader.log)
        let assembly = ServiceAssembly(
            drafts: drafts, declaredNames: project.processes.map { $0.key }, project: project, dotEnv: dotEnv)
        let (services, mainDependsOn) = assembly.assemble(log: &reader.log)
        var settings = project.pcinit
        if settings.mainDependsOn != nil { settings.mainDependsOn = mainDependsOn }
        let config = ProjectConfig(
            services: services,
            shell: project.shell,
            orderedShutdown: project.orderedShutdown,
            logLength: project.logLength,
            isStrict: project.isStrict,
            pcinit: settings,
            files: documents.loadedFiles,
            name: project.name
        )
        return finish(config, reader.log, order: documents.loadedFiles, documents)
    }

    /// `-e` files when given (relative to the working directory, required), else the optional `.env` next to
    /// the first config. process-compose reads `.env` from its working directory; pcinit reads the one next to
    /// the (first) config, which is the same place in the usual layout and what a container image has.
    private func loadDotEnv(first: String, loader: DotEnvLoader, log: inout DiagnosticLog) -> [(String, String)] {
        if let envFiles {
            return envFiles.flatMap { file in
                loader.load(ConfigPath.join(workingDirectory, file), required: true, origin: nil, what: "-e", log: &log)
                    ?? []
            }
        }
        let dotEnvPath = ConfigPath.join(ConfigPath.directory(of: ConfigPath.join(workingDirectory, first)), ".env")
        return loader.load(dotEnvPath, required: false, origin: nil, what: ".env", log: &log) ?? []
    }

    /// Decodes one process with its templates rendered; replicas that render differently are decoded each
    /// (their diagnostics added only where they say something new).
    private func decode(
        _ entry: ConfigEntry, templates: ProcessTemplates, context: ProcessDecodingContext, reader: inout FieldReader
    ) -> ProcessDraft? {
        let (rendered, perReplica) = templates.render(entry, replica: 0, log: &reader.log)
        guard var draft = reader.process(name: entry.key, entry: rendered, context: context) else { return nil }
        if let count = replicaOverrides[entry.key] { draft.replicas = count }
        guard perReplica, draft.replicas > 1 else { return draft }
        // Labelled like `replicaVariants`: assigning an array of unlabelled tuples to it is a dynamic cast, which
        // Embedded Swift rejects.
        var variants = [(service: draft.service, ownEnvironment: draft.ownEnvironment)]
        for replica in 1..<draft.replicas {
            var scratch = FieldReader(log: DiagnosticLog())
            scratch.log.applyStrict(reader.log.strict)
            let (variantEntry, _) = templates.render(entry, replica: replica, log: &scratch.log)
            let variant = scratch.process(name: entry.key, entry: variantEntry, context: context)
            variants.append(variant.map { ($0.service, $0.ownEnvironment) } ?? (draft.service, draft.ownEnvironment))
            reader.log.append(newFrom: scratch.log)
        }
        draft.replicaVariants = variants
        return draft
    }

    /// A config without processes runs nothing: an error rather than a silent successful load.
    private func reportNoProcesses(_ merged: ConfigNode, files: [String], log: inout DiagnosticLog) {
        let key = merged.entries?.last { $0.key == "processes" }
        log.error(
            "no processes: the config defines no service under 'processes:'", at: key?.keyPosition,
            file: files.last ?? "")
    }

    /// `${REDIS_PORT}` where REDIS_PORT is set only under `environment:` (or an `env_file`) expands to nothing
    /// when the file is read, silently in process-compose too: say so, and point at the shell's `$REDIS_PORT`.
    private func warnAboutFileOnlyVariables(
        _ expansions: [(file: String, expansion: EmptyExpansion)], project: ProjectDraft, drafts: [ProcessDraft],
        log: inout DiagnosticLog
    ) {
        guard !expansions.isEmpty else { return }
        // Only names set to something: `OSRD_PATH=${OSRD_PATH}` is the expansion itself, not a definition.
        var names = Set(project.environment.filter { !$0.1.isEmpty }.map { $0.0 })
        for draft in drafts { names.formUnion(draft.ownEnvironment.filter { !$0.1.isEmpty }.map { $0.0 }) }
        var seen = Set<SourceLocation>()
        for (file, expansion) in expansions
        where !expansion.isSet && !expansion.inComment && names.contains(expansion.name)
            && seen.insert(expansion.source).inserted
        {
            let name = expansion.name
            log.warning(
                "${\(name)} is not set when the file is read, so it expanded to nothing: 'environment:' and "
                    + "'env_file' set \(name) for the running service, not for ${…} in the file (process-compose "
                    + "does the same). Write $\(name) to let the service's shell expand it",
                at: SourcePosition(file: file, location: expansion.source))
        }
    }

    /// Diagnostics ordered by file (in load order), then line and column; `config` dropped on error.
    private func finish(
        _ config: ProjectConfig?, _ log: DiagnosticLog, order: [String], _ documents: ConfigDocuments
    ) -> ConfigLoadResult {
        var rank: [String: Int] = [:]
        for (i, file) in order.enumerated() where rank[file] == nil { rank[file] = i }
        let sorted = log.items.enumerated().sorted { a, b in
            let ka = (
                rank[a.element.file] ?? order.count, a.element.location?.line ?? 0, a.element.location?.column ?? 0,
                a.offset
            )
            let kb = (
                rank[b.element.file] ?? order.count, b.element.location?.line ?? 0, b.element.location?.column ?? 0,
                b.offset
            )
            return ka < kb
        }.map { $0.element }
        var result = ConfigLoadResult(config: log.hasErrors ? nil : config, diagnostics: sorted)
        result.documentCache = documents.parsed
        return result
    }
}
