import CInit
import Glibc
import InitCore
import InitSystem

@main
struct PCInit {
    static let version = "0.1.0"

    static func main() {
        // Before anything else: from here on every signal queues up for the signalfd.
        let inherited = Signals.blockAllAndCaptureInherited()
        if let name = ProcessEnvironment.value("PCINIT_LOG_LEVEL") {
            if let level = Log.Level(name: name) {
                Log.level = level
            } else {
                Log.warning("PCINIT_LOG_LEVEL=\(name) is not one of error, warn, info, debug")
            }
        }
        let invocation: Invocation
        do {
            invocation = try Invocation.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
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
            return ConfigCommand.run(global, raw: raw)
        default:
            Log.error("this command is not available yet in this build")
            return 2
        }
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
        becomeSubreaperUnlessInit()
        let grace = durationSetting("PCINIT_GRACE") ?? .seconds(5)
        return SingleCommandRunner.run(.init(arguments: command, grace: grace, signals: signals))
    }

    /// Not PID 1 (Fly's init above us, `docker run --init`, a shared pid namespace): orphans of our tree
    /// must still come to us to be reaped.
    static func becomeSubreaperUnlessInit() {
        guard getpid() != 1 else { return }
        if pci_set_child_subreaper() == 0 {
            Log.debug("not PID 1: registered as child subreaper")
        } else {
            Log.warning("not PID 1 and cannot become a subreaper: \(SystemError.describe(errno))")
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
