/// What the command line asks pcinit to do. Parsing stops at the first positional argument: everything
/// from the program name on is passed through untouched (`pcinit ls -l` runs `ls -l`).
public enum Invocation: Equatable, Sendable {
    /// Run services and/or a main command. Whether bare positionals are service names or a command
    /// depends on whether a config file is found, which the caller decides.
    case run(RunOptions)
    case check(GlobalOptions)
    case config(GlobalOptions, raw: Bool)
    case status(GlobalOptions, json: Bool)
    case control(GlobalOptions, verb: ControlVerb, services: [String])
    case logs(GlobalOptions, follow: Bool, lines: Int?, services: [String])
    case version
    case help
}

public enum ControlVerb: String, Sendable, CaseIterable {
    case start, stop, restart
}

public struct GlobalOptions: Equatable, Sendable {
    public var configFiles: [String] = []
    public var healthAddr: String?
    public var socketPath: String?
    /// `-e/--env FILE` (process-compose's flag): dotenv files for `${VAR}` expansion instead of `.env`.
    public var envFiles: [String] = []

    public init(
        configFiles: [String] = [], healthAddr: String? = nil, socketPath: String? = nil, envFiles: [String] = []
    ) {
        self.configFiles = configFiles
        self.healthAddr = healthAddr
        self.socketPath = socketPath
        self.envFiles = envFiles
    }
}

public struct RunOptions: Equatable, Sendable {
    public var global: GlobalOptions
    /// Arguments before any `--`: service names, or (with no config) the command to run.
    public var positionals: [String]
    /// Arguments after `--`: always the main command. nil when there was no `--`.
    public var command: [String]?
    /// Everything from the first positional on, untouched: the command when no config file is found
    /// (`pcinit printf '%s' -- x` runs printf with `--` among its arguments).
    public var verbatim: [String]

    public init(
        global: GlobalOptions = .init(),
        positionals: [String] = [],
        command: [String]? = nil,
        verbatim: [String]? = nil
    ) {
        self.global = global
        self.positionals = positionals
        self.command = command
        self.verbatim = verbatim ?? command ?? positionals
    }

    /// What to run when no config file is found.
    public var commandWithoutConfig: [String] { verbatim }
}

public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Invocation {
    static let subcommands: Set<String> = ["config", "status", "start", "stop", "restart", "logs"]

    /// Parses `arguments` (without argv[0]).
    public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var global = GlobalOptions()
        var index = 0
        var wantsCheck = false

        func value(for option: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw UsageError("option \(option) needs a value") }
            return arguments[index]
        }

        // Options before the first positional (or `--`).
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" || !argument.hasPrefix("-") || argument == "-" { break }
            var name = argument
            var inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            switch name {
            case "-h", "--help": return .help
            case "-V", "--version": return .version
            case "--check": wantsCheck = true
            case "-f", "--config": global.configFiles.append(try value(for: name, inline: inline))
            case "-e", "--env": global.envFiles.append(try value(for: name, inline: inline))
            case "--health-addr": global.healthAddr = try value(for: name, inline: inline)
            case "--socket": global.socketPath = try value(for: name, inline: inline)
            default: throw UsageError("unknown option \(argument) (see pcinit --help)")
            }
            index += 1
        }
        if wantsCheck {
            guard index == arguments.count else { throw UsageError("--check takes no arguments") }
            return .check(global)
        }
        guard index < arguments.count else { return .run(RunOptions(global: global)) }
        if arguments[index] == "--" {
            let command = Array(arguments[(index + 1)...])
            guard !command.isEmpty else { throw UsageError("-- must be followed by a command") }
            return .run(RunOptions(global: global, command: command))
        }
        let first = arguments[index]
        let rest = Array(arguments[(index + 1)...])
        if subcommands.contains(first) {
            return try parseSubcommand(first, rest, global: global)
        }
        // Service names may be followed by `-- CMD`; a command (no config) takes everything verbatim.
        if let dashes = rest.firstIndex(of: "--") {
            let command = Array(rest[(dashes + 1)...])
            return .run(
                RunOptions(
                    global: global,
                    positionals: [first] + rest[..<dashes],
                    command: command,
                    verbatim: [first] + rest
                )
            )
        }
        return .run(RunOptions(global: global, positionals: [first] + rest))
    }

    private static func parseSubcommand(_ name: String, _ arguments: [String], global: GlobalOptions)
        throws(UsageError) -> Invocation
    {
        var global = global
        var names: [String] = []
        var flags: Set<String> = []
        var lines: Int?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-f" where name == "logs":
                flags.insert("--follow")
            case "-f", "--config":
                index += 1
                guard index < arguments.count else { throw UsageError("option \(argument) needs a value") }
                global.configFiles.append(arguments[index])
            case "--socket":
                index += 1
                guard index < arguments.count else { throw UsageError("option --socket needs a value") }
                global.socketPath = arguments[index]
            case "-e" where name == "config", "--env" where name == "config":
                index += 1
                guard index < arguments.count else { throw UsageError("option \(argument) needs a value") }
                global.envFiles.append(arguments[index])
            case "-n", "--lines":
                index += 1
                guard index < arguments.count, let n = Int(arguments[index]), n >= 0 else {
                    throw UsageError("option \(argument) needs a number")
                }
                lines = n
            case "--raw", "--json", "-F", "--follow":
                flags.insert(argument == "-F" ? "--follow" : argument)
            default:
                if argument.hasPrefix("-") {
                    throw UsageError("unknown option \(argument) for pcinit \(name)")
                } else {
                    names.append(argument)
                }
            }
            index += 1
        }
        func reject(_ flag: String) throws(UsageError) {
            if flags.contains(flag) { throw UsageError("option \(flag) does not apply to pcinit \(name)") }
        }
        switch name {
        case "config":
            try reject("--json")
            try reject("--follow")
            global.configFiles += names
            return .config(global, raw: flags.contains("--raw"))
        case "status":
            try reject("--raw")
            guard names.isEmpty else { throw UsageError("pcinit status takes no service names") }
            return .status(global, json: flags.contains("--json"))
        case "logs":
            return .logs(global, follow: flags.contains("--follow"), lines: lines, services: names)
        default:
            guard !names.isEmpty else { throw UsageError("pcinit \(name) needs at least one service name") }
            return .control(global, verb: ControlVerb(rawValue: name)!, services: names)
        }
    }
}
