import CInit
import InitCore
import InitSystem

@main
struct PCInit {
    static let version = BuildInfo.version

    static func main() {
        // Before anything else: from here on every signal queues up for the signalfd.
        let inherited = Signals.blockAllAndCaptureInherited()
        LogOptions.applyEnvironment()
        if let name = ProcessEnvironment.value("PCINIT_LOG_LEVEL") {
            if let level = Log.Level(name: name) {
                Log.level = level
            } else {
                Log.warning("PCINIT_LOG_LEVEL=\(name) is not one of error, warn, info, debug")
            }
        }
        // Before anything is spawned: children get the limit we were started with, we keep the hard one.
        if let raised = ResourceLimits.raiseOpenFilesLimit() {
            Log.debug(
                "open files limit raised from \(raised.before) to \(raised.after); children keep \(raised.before)")
        }
        let invocation: Invocation
        do {
            invocation = try Invocation.parse(Array(ProcessArguments.all.dropFirst()))
        } catch {
            // A health checker reads any code but 0 and 1 as "unknown": --check never exits 2.
            if ProcessArguments.all.contains("--check") {
                Log.writeAll(fd: 1, "usage error: \(error)\n")
                exit(1)
            }
            Log.error("\(error)")
            exit(2)
        }
        exit(dispatch(invocation, signals: inherited))
    }

    static func dispatch(_ invocation: Invocation, signals: InheritedSignals) -> Int32 {
        switch invocation {
        case .version:
            Log.writeAll(fd: 1, "pcinit \(version)\n")
            return 0
        case .help:
            Log.writeAll(fd: 1, Usage.text)
            return 0
        case .run(let options):
            return run(options, signals: signals)
        case .config(let global, let raw):
            return ConfigCommand.run(global, raw: raw, signals: signals)
        case .check(let global):
            return check(global)
        case .status(let global, let json):
            let path = Endpoints.socketPath(global, config: Endpoints.quietConfig(global))
            return ControlCommands.status(socketPath: path, json: json)
        case .control(let global, let verb, let services):
            let path = Endpoints.socketPath(global, config: Endpoints.quietConfig(global))
            return ControlCommands.control(socketPath: path, verb: verb, services: services)
        case .logs(let global, let follow, let lines, let services):
            return ControlCommands.logs(socketPath: socket(global), follow: follow, lines: lines, services: services)
        case .reload(let global):
            return ControlCommands.reload(socketPath: socket(global))
        case .scale(let global, let service, let replicas):
            return ControlCommands.scale(socketPath: socket(global), service: service, replicas: replicas)
        case .signal(let global, let service, let signal):
            return ControlCommands.signal(socketPath: socket(global), service: service, signal: signal)
        case .down(let global):
            return ControlCommands.down(socketPath: socket(global))
        case .events(let global, let json, let services):
            return ControlCommands.events(socketPath: socket(global), json: json, services: services)
        }
    }

    /// The running pcinit's control socket, found as the server chose it.
    static func socket(_ global: GlobalOptions) -> String {
        Endpoints.socketPath(global, config: Endpoints.quietConfig(global))
    }

    /// `pcinit --check`: one line on stdout, exit 0 or 1 (never 2: a health checker reads 2 as "unknown").
    static func check(_ global: GlobalOptions) -> Int32 {
        // One second in all. Asking the control socket for the address may take most of it: a pcinit that is
        // alive but busy (a loaded machine) answers late, and the default address would then be a wrong answer;
        // a socket nobody listens on is refused at once.
        let deadline = MonotonicClock.now() + .milliseconds(950)
        var config: ProjectConfig??
        let loadConfigOnce = {
            if config == nil { config = .some(Endpoints.quietConfig(global)) }
            return config ?? nil
        }
        let text = Endpoints.checkAddressText(global, config: loadConfigOnce, socketTimeout: .milliseconds(600))
        guard let address = HealthAddress.parse(text) else {
            Log.writeAll(fd: 1, "invalid health address\n")
            return 1
        }
        let remaining = max(deadline - MonotonicClock.now(), .milliseconds(100))
        let (code, line) = HealthCheckClient.check(address: address, timeout: remaining)
        Log.writeAll(fd: 1, line + "\n")
        return code
    }

    static func run(_ options: RunOptions, signals: InheritedSignals) -> Int32 {
        let files = ConfigCommand.discover(options.global)
        if !files.isEmpty {
            return ConfigMode.run(options, files: files, signals: signals)
        }
        let command = options.commandWithoutConfig
        guard !command.isEmpty else {
            Log.error("nothing to run: no config file found and no command given (see pcinit --help)")
            return 2
        }
        // Like tini this mode opens no port, unless an address is given explicitly (for HEALTHCHECK --check).
        var healthAddress: HealthAddress?
        if let text = options.global.healthAddr ?? ProcessEnvironment.value("PCINIT_HEALTH_ADDR") {
            guard let address = HealthAddress.parse(text) else {
                Log.error("health address \"\(text)\" is not valid (examples: [::]:8558, 127.0.0.1:9000, off)")
                return 2
            }
            healthAddress = address
        }
        becomeSubreaperUnlessInit()
        let grace = durationSetting("PCINIT_GRACE") ?? .seconds(5)
        return SingleCommandRunner.run(
            .init(arguments: command, grace: grace, signals: signals, healthAddress: healthAddress))
    }

    /// Not PID 1 (Fly's init above us, `docker run --init`, a shared pid namespace): orphans of our tree
    /// must still come to us to be reaped.
    static func becomeSubreaperUnlessInit() {
        guard getpid() != 1 else { return }
        if pci_set_child_subreaper() == 0 {
            Log.debug("not PID 1: registered as child subreaper")
        } else {
            Log.warning("not PID 1 and cannot become a subreaper: \(SystemError.describe(pci_errno()))")
        }
    }

    static func durationSetting(_ name: String) -> Duration? {
        guard let text = ProcessEnvironment.value(name) else { return nil }
        guard let duration = DurationText.parse(text) else {
            Log.warning("\(name)=\(text) is not a duration (examples: 5, 2.5, 500ms, 10s); using the default")
            return nil
        }
        return duration
    }
}
