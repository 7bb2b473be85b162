/// Loads, merges and validates process-compose files into a `ProjectConfig`.
/// Pure: the file system and the environment are injected, so tests pass fakes.
public struct ConfigLoader {
    /// pcinit's own environment: `${VAR}` expansion falls back to it after `.env`.
    public var environment: [String: String]
    /// Relative config paths, `working_dir` and `env_file` resolve against it.
    public var workingDirectory: String
    /// Reads a file by absolute path.
    public var readFile: (String) -> FileContents
    /// Where `user:` names are looked up (the image's files; tests point elsewhere).
    public var passwdPath = "/etc/passwd"
    public var groupPath = "/etc/group"
    /// pcinit's own uid:gid: when not root, `user` may only name pcinit's own account. nil: not checked.
    public var identity: ProcessIdentity?

    public init(environment: [String: String], workingDirectory: String, readFile: @escaping (String) -> FileContents) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.readFile = readFile
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
        let absoluteFirst = ConfigPath.join(workingDirectory, first)
        // process-compose reads `.env` from its working directory; pcinit reads the one next to the
        // (first) config, which is the same place in the usual layout and what a container image has.
        let dotEnvPath = ConfigPath.join(ConfigPath.directory(of: absoluteFirst), ".env")
        let dotEnv = dotEnvLoader.load(dotEnvPath, required: false, origin: nil, what: ".env", log: &log) ?? []
        let dotEnvValues = Dictionary(dotEnv, uniquingKeysWith: { _, b in b })
        let lookup: (String) -> String? = { dotEnvValues[$0] ?? environment[$0] }

        var documents = ConfigDocuments(readFile: readFile, lookup: lookup)
        let explicit = Set(files.map { ConfigPath.join(workingDirectory, $0) })
        var roots: [ConfigNode] = []
        for file in files {
            roots += documents.load(
                display: file, absolute: ConfigPath.join(workingDirectory, file), explicit: explicit, chain: [],
                log: &log)
        }
        guard var merged = roots.first else { return finish(nil, log, order: documents.loadedFiles) }
        for root in roots.dropFirst() { merged = ConfigMerge.mergeProject(merged, root) }

        var reader = FieldReader(log: log)
        // is_strict decides the severity of everything else, so it is read first.
        // The YAML reader's warnings, recorded while parsing, become errors under it here too.
        reader.log.applyStrict(merged.entries != nil && (reader.bool(merged["is_strict"], "is_strict") ?? false))
        var project = reader.project(merged, hostEnvironment: environment)
        project.processes = ProcessExtends.resolve(project.processes, log: &reader.log)

        let needsUsers = project.processes.contains { $0.value["user"].map { !$0.isNull } ?? false }
        let context = ProcessDecodingContext(
            workingDirectory: workingDirectory, dotEnvLoader: dotEnvLoader,
            maxBackoff: project.pcinit.maxBackoff ?? .seconds(30),
            users: needsUsers
                ? UserDatabaseLoad(passwdPath: passwdPath, groupPath: groupPath, readFile: readFile) : nil,
            identity: identity)
        // process-compose's PC_DISABLED_PROCESSES=a,b disables processes without editing the file.
        let disabledByEnvironment = Set(
            (environment["PC_DISABLED_PROCESSES"] ?? "").split(separator: ",").map { String($0.trimmingSpaces()) })
        var drafts: [ProcessDraft] = []
        for entry in project.processes {
            guard var draft = reader.process(name: entry.key, entry: entry, context: context) else { continue }
            if disabledByEnvironment.contains(entry.key) { draft.service.disabled = true }
            drafts.append(draft)
        }
        let assembly = ServiceAssembly(
            drafts: drafts, declaredNames: project.processes.map(\.key), project: project, dotEnv: dotEnv)
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
        return finish(config, reader.log, order: documents.loadedFiles)
    }

    /// Diagnostics ordered by file (in load order), then line and column; `config` dropped on error.
    private func finish(_ config: ProjectConfig?, _ log: DiagnosticLog, order: [String]) -> ConfigLoadResult {
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
        }.map(\.element)
        return ConfigLoadResult(config: log.hasErrors ? nil : config, diagnostics: sorted)
    }
}
