import CInit
import Glibc
import InitCore
import InitSystem

/// `pcinit [SERVICE...] [-- COMMAND]` with a config file: run the services under the supervisor.
enum ConfigMode {
    static func run(_ options: RunOptions, files: [String], signals: InheritedSignals) -> Int32 {
        guard let config = ConfigCommand.load(files, global: options.global, signals: signals) else { return 2 }
        if ProcessEnvironment.value("PCINIT_LOG_LEVEL") == nil, let name = config.pcinit.logLevel,
            let level = Log.Level(name: name)
        {
            Log.level = level
        }
        let unknown = Supervisor.unknownNames(options.positionals, in: config)
        guard unknown.isEmpty else {
            let known = config.services.map(\.name).joined(separator: ", ")
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
        let settings = ServiceRuntime.Settings(
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
        do {
            let runtime = try ServiceRuntime(settings: settings)
            return runtime.run()
        } catch {
            Log.error("\(error)")
            return 1
        }
    }
}
