import CInit
import InitCore
import InitSystem

/// `pcinit [SERVICE...] [-- COMMAND]` with a config file: run the services under the supervisor.
enum ConfigMode {
    static func run(_ options: RunOptions, files: [String], signals: InheritedSignals) -> Int32 {
        let envCommands = EnvCommandCache(signals: signals)
        let parsed = ParsedConfigFiles()
        guard
            let config = ConfigCommand.load(
                files, global: options.global, envCommands: envCommands.run, parsed: parsed)
        else {
            return 2
        }
        if ProcessEnvironment.value("PCINIT_LOG_LEVEL") == nil, let name = config.pcinit.logLevel,
            let level = Log.Level(name: name)
        {
            Log.level = level
        }
        var options = options
        let unknown = Supervisor.unknownNames(options.positionals, in: config)
        if !unknown.isEmpty, options.command == nil, unknown.count == options.positionals.count,
            let program = options.positionals.first, ProgramLookup.isRunnable(program)
        {
            // `docker run IMAGE sh -c '…'` with a config in the image: the words are a command, not services.
            Log.info(
                "\(program) is no service of the config but a program: running it as the main command (-- \(program) …)"
            )
            options.command = options.commandWithoutConfig
            options.positionals = []
        } else if !unknown.isEmpty {
            let known = config.services.map { $0.name }.joined(separator: ", ")
            Log.error("no service named \(unknown.joined(separator: ", ")) in the config (services: \(known))")
            return 2
        }
        guard let healthAddress = Endpoints.healthAddress(options.global, config: config) else {
            let text = Endpoints.healthAddressText(options.global, config: config)
            Log.error(
                "health address \"\(text)\" is not valid (examples: [::]:8558, 0.0.0.0:8558, 127.0.0.1:9000, off)")
            return 2
        }
        let socketPath = Endpoints.socketPath(options.global, config: config)
        let stopTimeout = PCInit.durationSetting("PCINIT_STOP_TIMEOUT") ?? config.pcinit.stopTimeout ?? .seconds(10)
        let grace = PCInit.durationSetting("PCINIT_GRACE") ?? config.pcinit.grace ?? .seconds(5)
        let workingDirectory = FileSystem.currentDirectory()
        let environment = ProcessEnvironment.pairs(ProcessEnvironment.current())
        PCInit.becomeSubreaperUnlessInit()
        // Services get a clean fd table; pcinit keeps nothing inherited and pins no mount.
        pci_close_range_from(3)
        let runtimeDirectory = FileSystem.runtimeDirectory()
        chdir("/")
        var settings = ServiceRuntime.Settings(
            config: config,
            selection: options.positionals,
            mainCommand: options.command,
            stopTimeout: stopTimeout,
            grace: grace,
            signals: signals,
            workingDirectory: workingDirectory,
            inheritedEnvironment: environment,
            runtimeDirectory: runtimeDirectory,
            healthAddress: healthAddress,
            controlSocketPath: socketPath
        )
        settings.signalPolicy = SignalPolicy(hangupReloads: config.pcinit.sighup == .reload)
        let global = options.global
        settings.readConfig = { replicas in
            reread(
                files, global: global, workingDirectory: workingDirectory, envCommands: envCommands.cached,
                replicas: replicas, parsed: parsed)
        }
        do {
            let runtime = try ServiceRuntime(settings: settings)
            return runtime.run()
        } catch {
            Log.error("\(error)")
            return 1
        }
    }

    /// What `pcinit reload` reads: the same files (the discovered list, resolved against the directory pcinit
    /// started in, as pcinit itself now runs in /), with the same precedence for every setting as at start.
    static func reread(
        _ files: [String], global: GlobalOptions, workingDirectory: String,
        envCommands: @escaping (EnvCommandRequest) -> EnvCommandResult, replicas: [String: Int] = [:],
        parsed: ParsedConfigFiles
    ) -> ConfigReading {
        var loader = ConfigLoader(
            environment: ConfigCommand.environment(), workingDirectory: workingDirectory, readFile: FileSystem.read,
            runEnvCommand: envCommands, envFiles: global.envFiles.isEmpty ? nil : global.envFiles)
        loader.replicaOverrides = replicas
        loader.documentCache = parsed.cache
        let result = loader.load(files: files)
        // A failed read keeps the last good trees: the next reload of the fixed file finds them.
        if result.errors.isEmpty { parsed.cache = result.documentCache }
        guard result.errors.isEmpty, let config = result.config else {
            return .failed(result.diagnostics.map { $0.formatted })
        }
        let level =
            ProcessEnvironment.value("PCINIT_LOG_LEVEL") == nil
            ? config.pcinit.logLevel.flatMap(Log.Level.init(name:)) : nil
        return .read(
            ReadConfig(
                config: config,
                stopTimeout: PCInit.durationSetting("PCINIT_STOP_TIMEOUT") ?? config.pcinit.stopTimeout ?? .seconds(10),
                grace: PCInit.durationSetting("PCINIT_GRACE") ?? config.pcinit.grace ?? .seconds(5),
                logLevel: level,
                healthAddress: Endpoints.healthAddress(global, config: config),
                controlSocketPath: Endpoints.socketPath(global, config: config)))
    }
}

/// Whether a word names a program pcinit could start: a path to an executable, or a name on PATH.
enum ProgramLookup {
    static func isRunnable(_ program: String) -> Bool {
        if program.contains("/") { return access(program, X_OK) == 0 }
        let path = ProcessEnvironment.value("PATH") ?? "/bin:/usr/bin"
        return path.split(separator: ":", omittingEmptySubsequences: false).contains { directory in
            let dir = directory.isEmpty ? "." : String(directory)
            return access(dir + "/" + program, X_OK) == 0
        }
    }
}
