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
    case reload(GlobalOptions)
    case scale(GlobalOptions, service: String, replicas: Int)
    case signal(GlobalOptions, service: String, signal: Int32)
    case down(GlobalOptions)
    case events(GlobalOptions, json: Bool, services: [String])
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

/// The words that are pcinit's own when they come first, decided here only: every other first word is a
/// service name (or, with no config, a program). `pcinit -- NAME` always runs a program called NAME.
public enum Subcommand: String, CaseIterable, Sendable {
    case config, status, start, stop, restart, logs, reload, scale, signal, down, events
    /// process-compose's spellings: `up`, `process list|start|stop|restart|scale`, `project update`.
    case up, process, project
}

extension Invocation {
    /// The largest replica count `scale` accepts.
    public static let maxReplicas = 1000

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
            if argument.hasPrefix("-"), let eq = argument.firstIndex(of: "=") {
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
            case "-t", "--tui": break  // process-compose's TUI switch: pcinit has no TUI, so any value is fine.
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
        if let subcommand = Subcommand(rawValue: first) {
            return try parseSubcommand(subcommand, rest, global: global)
        }
        return runWithPositionals([first] + rest, global: global)
    }

    /// Service names, which may be followed by `-- CMD`; a command (no config) takes everything verbatim.
    static func runWithPositionals(_ words: [String], global: GlobalOptions) -> Invocation {
        if let dashes = words.firstIndex(of: "--") {
            return .run(
                RunOptions(
                    global: global, positionals: Array(words[..<dashes]), command: Array(words[(dashes + 1)...]),
                    verbatim: words))
        }
        return .run(RunOptions(global: global, positionals: words))
    }

    private static func parseSubcommand(_ subcommand: Subcommand, _ arguments: [String], global: GlobalOptions)
        throws(UsageError) -> Invocation
    {
        let name = subcommand.rawValue
        var parsed = try SubcommandArguments.parse(arguments, for: name, global: global)
        func reject(_ flags: String...) throws(UsageError) {
            for flag in flags where parsed.flags.contains(flag) {
                throw UsageError("option \(flag) does not apply to pcinit \(name)")
            }
        }
        func noNames() throws(UsageError) {
            guard parsed.names.isEmpty else { throw UsageError("pcinit \(name) takes no service names") }
        }
        switch subcommand {
        case .config:
            try reject("--json", "--follow")
            parsed.global.configFiles += parsed.names
            return .config(parsed.global, raw: parsed.flags.contains("--raw"))
        case .status:
            try reject("--raw", "--follow")
            try noNames()
            return .status(parsed.global, json: parsed.flags.contains("--json"))
        case .logs:
            try reject("--raw", "--json")
            return .logs(
                parsed.global, follow: parsed.flags.contains("--follow"), lines: parsed.lines, services: parsed.names)
        case .start, .stop, .restart:
            try reject("--raw", "--json", "--follow")
            guard !parsed.names.isEmpty else { throw UsageError("pcinit \(name) needs at least one service name") }
            return .control(parsed.global, verb: ControlVerb(rawValue: name)!, services: parsed.names)
        case .reload:
            try reject("--raw", "--json", "--follow")
            try noNames()
            return .reload(parsed.global)
        case .down:
            try reject("--raw", "--json", "--follow")
            try noNames()
            return .down(parsed.global)
        case .events:
            try reject("--raw", "--follow")
            return .events(parsed.global, json: parsed.flags.contains("--json"), services: parsed.names)
        case .scale:
            try reject("--raw", "--json", "--follow")
            let (service, replicas) = try scaleTarget(parsed.names)
            return .scale(parsed.global, service: service, replicas: replicas)
        case .signal:
            try reject("--raw", "--json", "--follow")
            guard parsed.names.count == 2 else {
                throw UsageError("usage: pcinit signal NAME SIGNAL (e.g. HUP, SIGUSR1, 10)")
            }
            guard let number = SignalNames.number(of: parsed.names[1]) else {
                throw UsageError("unknown signal \(parsed.names[1]) (e.g. HUP, SIGUSR1, 10)")
            }
            return .signal(parsed.global, service: parsed.names[0], signal: number)
        case .up:
            try reject("--raw", "--json", "--follow")
            return runWithPositionals(parsed.names, global: parsed.global)
        case .process:
            return try processSpelling(parsed)
        case .project:
            guard parsed.names == ["update"] else {
                throw UsageError("pcinit project: only `project update` (= reload)")
            }
            return .reload(parsed.global)
        }
    }

    /// process-compose's `process list|start|stop|restart|scale`.
    private static func processSpelling(_ parsed: SubcommandArguments) throws(UsageError) -> Invocation {
        guard let verb = parsed.names.first else {
            throw UsageError("usage: pcinit process list|start|stop|restart|scale ...")
        }
        let rest = Array(parsed.names.dropFirst())
        switch verb {
        case "list":
            guard rest.isEmpty else { throw UsageError("pcinit process list takes no service names") }
            return .status(parsed.global, json: parsed.flags.contains("--json") || parsed.output == "json")
        case "start", "stop", "restart":
            guard !rest.isEmpty else { throw UsageError("pcinit process \(verb) needs at least one service name") }
            return .control(parsed.global, verb: ControlVerb(rawValue: verb)!, services: rest)
        case "scale":
            let (service, replicas) = try scaleTarget(rest)
            return .scale(parsed.global, service: service, replicas: replicas)
        default:
            throw UsageError("unknown command: pcinit process \(verb) (list, start, stop, restart, scale)")
        }
    }

    /// `NAME=N` or `NAME N`, 0 ≤ N ≤ maxReplicas.
    static func scaleTarget(_ words: [String]) throws(UsageError) -> (String, Int) {
        let parts: [String]
        if words.count == 1, let eq = words[0].firstIndex(of: "=") {
            parts = [String(words[0][..<eq]), String(words[0][words[0].index(after: eq)...])]
        } else {
            parts = words
        }
        guard parts.count == 2, !parts[0].isEmpty else { throw UsageError("usage: pcinit scale NAME=N (or NAME N)") }
        guard let count = Int(parts[1]), (0...maxReplicas).contains(count) else {
            throw UsageError("replica count \(parts[1]) is not a number from 0 to \(maxReplicas)")
        }
        return (parts[0], count)
    }
}

/// The options and words after a subcommand.
struct SubcommandArguments {
    var global: GlobalOptions
    var names: [String] = []
    var flags: Set<String> = []
    var lines: Int?
    /// `-o json` (process-compose's `process list -o json`).
    var output: String?

    static func parse(_ arguments: [String], for name: String, global: GlobalOptions) throws(UsageError)
        -> SubcommandArguments
    {
        var parsed = SubcommandArguments(global: global)
        var index = 0
        func value(_ option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError("option \(option) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-f" where name == "logs":
                parsed.flags.insert("--follow")
            case "-f", "--config":
                parsed.global.configFiles.append(try value(argument))
            case "--socket":
                parsed.global.socketPath = try value(argument)
            case "--health-addr":
                parsed.global.healthAddr = try value(argument)
            case "-e" where name == "config" || name == "up", "--env" where name == "config" || name == "up":
                parsed.global.envFiles.append(try value(argument))
            case "-n", "--lines":
                guard let n = Int(try value(argument)), n >= 0 else {
                    throw UsageError("option \(argument) needs a number")
                }
                parsed.lines = n
            case "-o", "--output":
                parsed.output = try value(argument)
            case "--raw", "--json", "-F", "--follow":
                parsed.flags.insert(argument == "-F" ? "--follow" : argument)
            case "-t", "--tui", "-t=false", "--tui=false", "-t=true", "--tui=true":
                break  // process-compose's TUI switch: pcinit has no TUI.
            case "--":
                // `pcinit up web -- CMD`: the rest is the main command, kept as words for `up`.
                parsed.names += arguments[index...]
                return parsed
            default:
                if argument.hasPrefix("-") && argument != "-" {
                    throw UsageError("unknown option \(argument) for pcinit \(name)")
                }
                parsed.names.append(argument)
            }
            index += 1
        }
        return parsed
    }
}
