import CInit
import InitCore
import InitSystem

/// `pcinit config [-f FILE]... [--raw]`, and the config loading that config mode shares with it.
enum ConfigCommand {
    static func environment() -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in ProcessEnvironment.pairs(ProcessEnvironment.current()) { result[key] = value }
        return result
    }

    static func discover(_ global: GlobalOptions) -> [String] {
        ConfigLoader.discover(explicitFiles: global.configFiles, environment: environment(), exists: FileSystem.exists)
    }

    /// Loads and validates; prints every diagnostic to stderr. nil when there was an error. `envCommands` runs
    /// `env_cmds`; without it (a quiet look at the config for `status` or `--check`) they are not run.
    /// `parsed`: keeps the parsed files for the reloads to come.
    static func load(
        _ files: [String], global: GlobalOptions, envCommands: ((EnvCommandRequest) -> EnvCommandResult)?,
        quiet: Bool = false, parsed: ParsedConfigFiles? = nil
    ) -> ProjectConfig? {
        var loader = ConfigLoader(
            environment: environment(),
            workingDirectory: FileSystem.currentDirectory(),
            readFile: FileSystem.read,
            runEnvCommand: envCommands,
            envFiles: global.envFiles.isEmpty ? nil : global.envFiles
        )
        loader.identity = ProcessIdentity(uid: geteuid(), gid: getegid())
        let result = loader.load(files: files)
        parsed?.cache = result.documentCache
        if quiet { return result.config }
        if let config = result.config { LogOptions.apply(config.pcinit) }
        for diagnostic in result.diagnostics {
            Log.always(diagnostic.severity == .error ? .error : .warning, diagnostic.formatted)
        }
        if !result.errors.isEmpty {
            let count = result.errors.count
            Log.error("\(count) error\(count == 1 ? "" : "s") in the config; nothing was started")
        }
        return result.errors.isEmpty ? result.config : nil
    }

    static func run(_ global: GlobalOptions, raw: Bool, signals: InheritedSignals) -> Int32 {
        let files = discover(global)
        guard !files.isEmpty else {
            Log.error("no config file: give -f FILE, set PCINIT_CONFIG, or add process-compose.yml here")
            return 2
        }
        if raw { return printRaw(files) }
        guard let config = load(files, global: global, envCommands: EnvCommandCache(signals: signals).run) else {
            return 2
        }
        Log.writeAll(fd: 1, config.effectiveJSON().rendered(pretty: true) + "\n")
        return 0
    }

    /// Each file's YAML document as JSON, before env expansion and schema: to debug quoting and anchors. The
    /// reader's warnings go to stderr as the loader's do (is_strict is not applied: there is no schema here).
    static func printRaw(_ files: [String]) -> Int32 {
        var documents: [JSONValue] = []
        for file in files {
            switch FileSystem.read(file) {
            case .missing:
                Log.error("\(file): no such file")
                return 2
            case .unreadable(let reason):
                Log.error("\(file): \(reason)")
                return 2
            case .text(let text):
                do throws(YAMLError) {
                    var warnings: [YAMLWarning] = []
                    documents.append(try YAMLReader.parse(text, file: file, warnings: &warnings)?.jsonValue ?? .null)
                    for warning in warnings { Log.always(.warning, "\(warning)") }
                } catch {
                    Log.error(error.description)
                    return 2
                }
            }
        }
        let output = documents.count == 1 ? documents[0] : .array(documents)
        Log.writeAll(fd: 1, output.rendered(pretty: true) + "\n")
        return 0
    }
}
