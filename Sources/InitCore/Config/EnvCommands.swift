/// `env_cmds`: commands run once while the config is loaded, each giving one variable (process-compose's
/// rules: a 2 s limit, the output trimmed of surrounding whitespace; a command that fails or times out leaves
/// its variable unset, with a warning). The values join the top-level `environment` of every service, after
/// the file's own entries, where process-compose puts them; `${VAR}` expansion of the file does not see them.
public struct EnvCommandRequest: Sendable, Hashable {
    /// `[shell.command, shell.argument, command]`.
    public var arguments: [String]
    public var timeout: Duration

    public init(arguments: [String], timeout: Duration) {
        self.arguments = arguments
        self.timeout = timeout
    }
}

public enum EnvCommandResult: Sendable, Equatable {
    /// What the command wrote to stdout (untrimmed).
    case output(String)
    /// Why there is no value: "exited 1", "timed out after 2s", "cannot start: …".
    case failed(String)
}

extension FieldReader {
    static let envCommandTimeout = Duration.seconds(2)

    /// Runs each `env_cmds` entry in file order and returns the variables that got a value.
    mutating func envCommands(
        _ node: ConfigNode?, shell: ShellConfig, run: ((EnvCommandRequest) -> EnvCommandResult)?
    ) -> [(String, String)] {
        guard let entries = mapping(node, "env_cmds", schema: nil) else { return [] }
        var result: [(String, String)] = []
        for entry in entries {
            let path = "env_cmds.\(entry.key)"
            guard let command = string(entry.value, path), !command.isEmpty else { continue }
            guard let run else {
                log.warning(
                    "\(path): not run (this loader cannot run commands); \(entry.key) is left unset",
                    at: entry.keyPosition)
                continue
            }
            let request = EnvCommandRequest(
                arguments: [shell.command, shell.argument, command], timeout: Self.envCommandTimeout)
            switch run(request) {
            case .output(let output):
                result.append((entry.key, String(Substring(output).trimmingWhitespace())))
            case .failed(let reason):
                log.warning("\(path): '\(command)' \(reason); \(entry.key) is left unset", at: entry.keyPosition)
            }
        }
        return result
    }
}

extension Substring {
    /// Go's strings.TrimSpace for the common cases: spaces, tabs, line breaks, vertical tab, form feed.
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
