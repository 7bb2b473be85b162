import InitCore
import InitSystem

/// Where the health listener and the control socket are: flag, then environment, then the config's
/// `x-pcinit:` block, then the default. The server side and the client commands (`--check`, `status`…)
/// resolve them the same way, so they meet without extra configuration.
enum Endpoints {
    /// `config` is read only when neither the flag nor the environment decides: `--check` runs every few
    /// seconds and should not parse the whole config for nothing.
    static func healthAddress(_ global: GlobalOptions, config: @autoclosure () -> ProjectConfig?) -> HealthAddress? {
        HealthAddress.parse(healthAddressText(global, config: config()))
    }

    static func healthAddressText(_ global: GlobalOptions, config: @autoclosure () -> ProjectConfig?) -> String {
        configuredHealthAddressText(global, config: config()) ?? HealthAddress.defaultText
    }

    /// The address a flag, the environment or the config names; nil when none does (the default applies).
    static func configuredHealthAddressText(_ global: GlobalOptions, config: @autoclosure () -> ProjectConfig?)
        -> String?
    {
        global.healthAddr ?? ConfigCommand.environment()["PCINIT_HEALTH_ADDR"] ?? config()?.pcinit.healthAddr
    }

    /// Where `pcinit --check` asks. A flag, the environment or the config decide as for the server. Without
    /// them (a check from another directory, `docker exec app pcinit --check` with the config elsewhere), the
    /// running pcinit is asked over its control socket, found as `pcinit status` finds it, which health
    /// address it was given; the default only when no pcinit answers there within `socketTimeout`.
    static func checkAddressText(
        _ global: GlobalOptions, config: () -> ProjectConfig?, socketTimeout: Duration
    ) -> String {
        if let text = configuredHealthAddressText(global, config: config()) { return text }
        let path = socketPath(global, config: config())
        let reply = ControlClient.call(
            socketPath: path, method: ControlMethod.status.rawValue, params: .object([]), timeout: socketTimeout)
        if case .success(let result) = reply, let text = StatusReport(json: result)?.healthAddress { return text }
        return HealthAddress.defaultText
    }

    static func socketPath(_ global: GlobalOptions, config: @autoclosure () -> ProjectConfig?) -> String {
        var environment = ConfigCommand.environment()
        if let path = global.socketPath { return path }
        if let path = environment["PCINIT_SOCKET"], !path.isEmpty { return path }
        if let path = config()?.pcinit.socketPath { return path }
        environment["PCINIT_SOCKET"] = nil
        return ControlCommands.defaultSocketPath(environment: environment)
    }

    /// The config a client command reads for its endpoints: found the usual way, loaded without printing
    /// anything (a broken config just means the defaults).
    static func quietConfig(_ global: GlobalOptions) -> ProjectConfig? {
        let files = ConfigCommand.discover(global)
        return files.isEmpty ? nil : ConfigCommand.load(files, global: global, envCommands: nil, quiet: true)
    }
}
