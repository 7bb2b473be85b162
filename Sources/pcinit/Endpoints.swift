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
        global.healthAddr ?? ConfigCommand.environment()["PCINIT_HEALTH_ADDR"] ?? config()?.pcinit.healthAddr
            ?? HealthAddress.defaultText
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
        return files.isEmpty ? nil : ConfigCommand.load(files, global: global, signals: nil, quiet: true)
    }
}
