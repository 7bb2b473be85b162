// The validated, typed configuration: what the loader produces and the supervisor consumes.
// Defaults are already filled in, env already expanded, replicas already expanded.

/// The whole effective configuration of one pcinit run.
public struct ProjectConfig: Sendable, Equatable {
    /// Services in start order (a topological order of `dependsOn`, ties broken by source order).
    public var services: [ServiceConfig]
    /// How `command` strings are run: `[shell.command, shell.argument, command]`.
    public var shell: ShellConfig
    /// Stop services in reverse dependency order, level by level (pcinit's default); false stops all at once.
    public var orderedShutdown: Bool
    /// Lines kept per service in its ring buffer.
    public var logLength: Int
    public var isStrict: Bool
    /// pcinit's own settings from the `x-pcinit:` block (flags and environment variables override them later).
    public var pcinit: PCInitSettings
    /// Files the configuration was read from, in merge order.
    public var files: [String]
    /// Top-level `name:` (process-compose's project name), if set.
    public var name: String?

    public init(
        services: [ServiceConfig] = [],
        shell: ShellConfig = .init(),
        orderedShutdown: Bool = true,
        logLength: Int = 1000,
        isStrict: Bool = false,
        pcinit: PCInitSettings = .init(),
        files: [String] = [],
        name: String? = nil
    ) {
        self.services = services
        self.shell = shell
        self.orderedShutdown = orderedShutdown
        self.logLength = logLength
        self.isStrict = isStrict
        self.pcinit = pcinit
        self.files = files
        self.name = name
    }
}

public struct ShellConfig: Sendable, Equatable {
    public var command: String
    public var argument: String

    public init(command: String = "/bin/sh", argument: String = "-c") {
        self.command = command
        self.argument = argument
    }
}

/// Settings under `x-pcinit:`; nil means "not set in the file".
public enum HangupAction: String, Sendable, Equatable {
    case forward, reload
}

public struct PCInitSettings: Sendable, Equatable {
    /// `host:port`, `[v6]:port`, or `off`.
    public var healthAddr: String?
    public var socketPath: String?
    /// Global stop budget: whatever is still running this long after the stop began gets SIGKILL.
    public var stopTimeout: Duration?
    /// Grace period for orphans and leftovers between SIGTERM and SIGKILL.
    public var grace: Duration?
    /// Services the main command (`-- CMD`) waits for; nil means "all enabled services ready".
    public var mainDependsOn: [String]?
    public var maxBackoff: Duration?
    public var logLevel: String?
    /// What SIGHUP does: forwarded to every service (the default), or `pcinit reload`.
    public var sighup: HangupAction = .forward
    public var logFormat: LogFormat?
    /// Text lines start with the time.
    public var logTimestamps: Bool?

    public init(
        healthAddr: String? = nil,
        socketPath: String? = nil,
        stopTimeout: Duration? = nil,
        grace: Duration? = nil,
        mainDependsOn: [String]? = nil,
        maxBackoff: Duration? = nil,
        logLevel: String? = nil,
        logFormat: LogFormat? = nil,
        logTimestamps: Bool? = nil
    ) {
        self.healthAddr = healthAddr
        self.socketPath = socketPath
        self.stopTimeout = stopTimeout
        self.grace = grace
        self.mainDependsOn = mainDependsOn
        self.maxBackoff = maxBackoff
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.logTimestamps = logTimestamps
    }
}

/// How a service's program is started.
public enum CommandSpec: Sendable, Equatable {
    /// `command: "..."`: run as `[shell.command, shell.argument, text]`.
    case shell(String)
    /// `entrypoint: [...]` or `command: [...]`: exec'd directly, looked up on PATH.
    case exec([String])
}

public enum RestartPolicy: String, Sendable, Equatable {
    case no
    case always
    case onFailure = "on_failure"
    case exitOnFailure = "exit_on_failure"
}

public enum DependencyCondition: String, Sendable, Equatable, CaseIterable {
    case processStarted = "process_started"
    case processHealthy = "process_healthy"
    case processCompleted = "process_completed"
    case processCompletedSuccessfully = "process_completed_successfully"
    case processLogReady = "process_log_ready"
}

public struct Dependency: Sendable, Equatable {
    /// The name of a service in `ProjectConfig.services` (a replicated base name is already fanned out).
    public var service: String
    public var condition: DependencyCondition

    public init(service: String, condition: DependencyCondition) {
        self.service = service
        self.condition = condition
    }
}

public struct Availability: Sendable, Equatable {
    public var restart: RestartPolicy
    /// First restart delay; doubles on each consecutive restart up to `maxBackoff`.
    public var backoff: Duration
    public var maxBackoff: Duration
    /// 0 means unlimited.
    public var maxRestarts: Int
    public var exitOnEnd: Bool
    public var exitOnSkipped: Bool

    public init(
        restart: RestartPolicy = .no,
        backoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(30),
        maxRestarts: Int = 0,
        exitOnEnd: Bool = false,
        exitOnSkipped: Bool = false
    ) {
        self.restart = restart
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.maxRestarts = maxRestarts
        self.exitOnEnd = exitOnEnd
        self.exitOnSkipped = exitOnSkipped
    }
}

public struct ProbeConfig: Sendable, Equatable {
    public enum Check: Sendable, Equatable {
        /// Run through the shell with the service's environment; `workingDir` nil means the service's.
        case exec(command: String, workingDir: String?)
        /// `exec.command` written as a list: exec'd without a shell, like a list `command`.
        case execArguments([String], workingDir: String?)
        case httpGet(host: String, port: Int, path: String, scheme: String, headers: [String: String], statusCode: Int)
        case tcp(host: String, port: Int)
    }

    public var check: Check
    public var initialDelay: Duration
    public var period: Duration
    public var timeout: Duration
    public var successThreshold: Int
    public var failureThreshold: Int

    public init(
        check: Check,
        initialDelay: Duration = .zero,
        period: Duration = .seconds(10),
        timeout: Duration = .seconds(1),
        successThreshold: Int = 1,
        failureThreshold: Int = 3
    ) {
        self.check = check
        self.initialDelay = initialDelay
        self.period = period
        self.timeout = timeout
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

public struct ShutdownConfig: Sendable, Equatable {
    /// Run through the shell instead of sending `signal`; bounded by `timeout`, then SIGKILL to the group.
    public var command: String?
    public var signal: Int32
    /// After this long, SIGKILL to the process group. pcinit always escalates (default 10 s).
    public var timeout: Duration
    /// Signal only the main pid, not its process group (SIGKILL still goes to the group).
    public var parentOnly: Bool

    public init(command: String? = nil, signal: Int32 = 15, timeout: Duration = .seconds(10), parentOnly: Bool = false)
    {
        self.command = command
        self.signal = signal
        self.timeout = timeout
        self.parentOnly = parentOnly
    }
}

public struct ServiceConfig: Sendable, Equatable {
    /// Unique name; for replicas `base-N` (zero-padded as process-compose does).
    public var name: String
    /// The name written in the file (equal to `name` without replicas).
    public var baseName: String
    public var replicaIndex: Int
    public var command: CommandSpec
    /// nil: pcinit's own starting directory.
    public var workingDir: String?
    /// The service's own variables in process-compose precedence order, excluding pcinit's inherited
    /// environment: PC_PROC_NAME, PC_REPLICA_NUM, .env, [inherited env is inserted here at spawn],
    /// top-level environment, env_file, service environment. See `ServiceEnvironment`.
    public var environment: ServiceEnvironment
    public var dependsOn: [Dependency]
    public var availability: Availability
    /// Exit codes that count as success besides 0.
    public var successExitCodes: Set<Int32>
    public var readinessProbe: ProbeConfig?
    public var livenessProbe: ProbeConfig?
    /// Ready when a line of stdout/stderr contains this substring.
    public var readyLogLine: String?
    /// Ready when the service sends `READY=1` to its `NOTIFY_SOCKET`.
    public var notify: Bool
    public var shutdown: ShutdownConfig
    /// Not started unless named on the command line (or started over the control socket).
    public var disabled: Bool
    /// The command forks a daemon and exits; the service stays up until its liveness probe fails.
    public var isDaemon: Bool
    public var description: String?
    /// Where the service was declared, for messages.
    public var location: SourceLocation?
    /// Daemons (`is_daemon`): how long to wait for the launcher's stdout/stderr to close (default 5 s).
    public var launchTimeout: Duration
    /// The file `location` is in.
    public var file: String?
    /// User, umask, resource limits, no_new_privs for the service's processes (pcinit extensions).
    public var process: ProcessSettings
    /// `log_location`: the service's lines also go to this file.
    public var logFile: LogFileConfig?
    /// `is_tty`: stdout and stderr are one pseudo-terminal, relayed like a pipe (stdin stays /dev/null).
    public var isTTY: Bool

    public init(
        name: String,
        baseName: String? = nil,
        replicaIndex: Int = 0,
        command: CommandSpec,
        workingDir: String? = nil,
        environment: ServiceEnvironment = .init(),
        dependsOn: [Dependency] = [],
        availability: Availability = .init(),
        successExitCodes: Set<Int32> = [],
        readinessProbe: ProbeConfig? = nil,
        livenessProbe: ProbeConfig? = nil,
        readyLogLine: String? = nil,
        notify: Bool = false,
        shutdown: ShutdownConfig = .init(),
        disabled: Bool = false,
        isDaemon: Bool = false,
        description: String? = nil,
        location: SourceLocation? = nil,
        launchTimeout: Duration = .seconds(5),
        file: String? = nil,
        process: ProcessSettings = .init(),
        logFile: LogFileConfig? = nil,
        isTTY: Bool = false
    ) {
        self.name = name
        self.baseName = baseName ?? name
        self.replicaIndex = replicaIndex
        self.command = command
        self.workingDir = workingDir
        self.environment = environment
        self.dependsOn = dependsOn
        self.availability = availability
        self.successExitCodes = successExitCodes
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.readyLogLine = readyLogLine
        self.notify = notify
        self.shutdown = shutdown
        self.disabled = disabled
        self.isDaemon = isDaemon
        self.description = description
        self.location = location
        self.launchTimeout = launchTimeout
        self.file = file
        self.process = process
        self.logFile = logFile
        self.isTTY = isTTY
    }

    /// Whether `code` counts as a successful exit.
    public func isSuccess(exitCode code: Int32) -> Bool { code == 0 || successExitCodes.contains(code) }
}

/// A service's environment as layers, so the inherited environment (known only at spawn) lands in the
/// right place: process-compose puts the OS environment above `.env` but below everything in the file.
public struct ServiceEnvironment: Sendable, Equatable {
    /// PC_PROC_NAME, PC_REPLICA_NUM, then `.env` variables (unless is_dotenv_disabled).
    public var belowInherited: [(String, String)]
    /// Top-level `environment`, then `env_file`, then the service's `environment`.
    public var aboveInherited: [(String, String)]

    public init(belowInherited: [(String, String)] = [], aboveInherited: [(String, String)] = []) {
        self.belowInherited = belowInherited
        self.aboveInherited = aboveInherited
    }

    /// The final `KEY=VALUE` list for the child, later layers winning, in first-appearance order.
    public func resolved(inherited: [(String, String)]) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for (key, value) in belowInherited + inherited + aboveInherited {
            if values.updateValue(value, forKey: key) == nil { order.append(key) }
        }
        return order.map { "\($0)=\(values[$0]!)" }
    }

    public static func == (a: ServiceEnvironment, b: ServiceEnvironment) -> Bool {
        a.belowInherited.elementsEqual(b.belowInherited, by: ==)
            && a.aboveInherited.elementsEqual(b.aboveInherited, by: ==)
    }
}
