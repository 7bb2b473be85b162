import InitCore
import InitSystem

/// The `env_cmds` results of this run. Each command runs once, when pcinit starts; a reload reuses the results
/// (process-compose, too, runs them only when it starts), so `pcinit reload` never waits on a command inside
/// the event loop, and a reload that changes nothing changes no service's environment.
final class EnvCommandCache {
    let signals: InheritedSignals
    private var results: [EnvCommandRequest: EnvCommandResult] = [:]

    init(signals: InheritedSignals) { self.signals = signals }

    /// Runs the command (blocking: only before the event loop exists), or returns its earlier result.
    func run(_ request: EnvCommandRequest) -> EnvCommandResult {
        if let result = results[request] { return result }
        let result = EnvCommandRunner.run(request, signals: signals)
        results[request] = result
        return result
    }

    /// The result from the start; a command added since is not run.
    func cached(_ request: EnvCommandRequest) -> EnvCommandResult {
        results[request] ?? .failed("was added after pcinit started, and env_cmds run only when it starts")
    }
}
