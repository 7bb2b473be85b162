import CInit
import InitCore

/// Config mode: carries out what the supervisor decides. One epoll loop: the signalfd (SIGCHLD → the one
/// reaper, TERM/INT → stop, anything else → forwarded to every service's process group), service pipes
/// (log relay), probe sockets and processes, notify sockets, and one timer for the supervisor's next deadline.
public final class ServiceRuntime {
    public struct Settings {
        public var config: ProjectConfig
        public var selection: [String]
        /// `-- COMMAND`: runs in the foreground with pcinit's stdio and terminal; its exit ends the run.
        public var mainCommand: [String]?
        public var stopTimeout: Duration
        /// Between SIGTERM and SIGKILL for processes that belong to no service, once the services are down.
        public var grace: Duration
        public var signals: InheritedSignals
        /// pcinit's starting directory: services without `working_dir` start there.
        public var workingDirectory: String
        public var inheritedEnvironment: [(String, String)]
        /// Where notify sockets go.
        public var runtimeDirectory: String
        public var healthAddress: HealthAddress
        /// The control socket's path; nil: no control socket.
        public var controlSocketPath: String?
        /// What each signal means (one table for both modes).
        public var signalPolicy = SignalPolicy()
        /// Re-reads the files pcinit was started with (same list or discovery, `.env`, `env_file` contents,
        /// relative paths against the starting directory) and applies the same precedence as at start; nil: no
        /// reload.
        /// `replicas` replaces the file's replica counts by process name (`pcinit scale`).
        public var readConfig: ((_ replicas: [String: Int]) -> ConfigReading)?

        public init(
            config: ProjectConfig,
            selection: [String],
            mainCommand: [String]?,
            stopTimeout: Duration,
            grace: Duration,
            signals: InheritedSignals,
            workingDirectory: String,
            inheritedEnvironment: [(String, String)],
            runtimeDirectory: String,
            healthAddress: HealthAddress,
            controlSocketPath: String?
        ) {
            self.config = config
            self.selection = selection
            self.mainCommand = mainCommand
            self.stopTimeout = stopTimeout
            self.grace = grace
            self.signals = signals
            self.workingDirectory = workingDirectory
            self.inheritedEnvironment = inheritedEnvironment
            self.runtimeDirectory = runtimeDirectory
            self.healthAddress = healthAddress
            self.controlSocketPath = controlSocketPath
        }
    }

    var settings: Settings
    let loop: EventLoop
    let signalReader: SignalReader
    let children = ChildRegistry()
    let stdout: OutputChannel
    let stderr: OutputChannel
    let probes: ProbeRunner
    public private(set) var supervisor: Supervisor
    /// Prefix colours, renderers and log files of the services' lines.
    let logLayout = ServiceLogLayout()
    let devNull: Int32
    /// Each service's I/O, keyed by the supervisor's ids; made and dropped by its actions.
    var io: [ServiceID: ServiceIO] = [:]
    /// Open log relays, oldest first, each under an id of its own that its EOF callback names.
    var relays: [(id: UInt64, relay: LogRelay)] = []
    var nextRelayID: UInt64 = 1
    /// Services whose leader was reaped, until their process group is empty too.
    var groups = ProcessGroups()
    /// A signal found a draining group empty: settle the groups after the current actions.
    var groupsNeedSettling = false
    /// Events waiting for the supervisor, oldest first. Everything the shell learns goes through here, so the
    /// actions of one event are all carried out before the next event is handled.
    var inbox: [SupervisorEvent] = []
    var draining = false
    var deadlineTimer: EventLoop.Timer?
    /// What happens to the leftovers once the services are down.
    var endOfRun: EndOfRun
    var endTimer: EventLoop.Timer?
    var stopBegan: Instant?
    var exitCode: Int32?
    var healthServer: HealthServer?
    /// One spare descriptor the listeners fall back on when pcinit runs out (see `DescriptorReserve`).
    let descriptorReserve = DescriptorReserve()
    var controlServer: ControlServer?
    /// Control requests handed to the supervisor and not answered yet.
    var pendingControl: [ControlToken: PendingControl] = [:]
    /// `pcinit events` subscribers and the names they asked for (empty: all).
    var eventFollowers: [(connection: ControlConnection, names: [String])] = []
    /// `pcinit down` clients, told pcinit's exit code at the very end.
    var downWaiters: [ControlConnection] = []
    var nextControlToken: UInt64 = 1
    /// `pcinit logs -f` clients and the services they follow.
    var followers: [(connection: ControlConnection, services: Set<ServiceID>)] = []

    /// A control request waiting for the supervisor's reply.
    struct PendingControl {
        var command: ControlCommand
        /// nil for a reload SIGHUP asked for: the answer goes to the log.
        var connection: ControlConnection?
        var id: JSONValue
        /// Lines the shell adds to the supervisor's (a reload's settings).
        var extraOutcomes: [ControlOutcome] = []
    }

    public init(settings: Settings) throws(SystemError) {
        self.settings = settings
        loop = try EventLoop()
        signalReader = try SignalReader()
        stdout = OutputChannel(fd: 1, loop: loop)
        stderr = OutputChannel(fd: 2, loop: loop)
        probes = ProbeRunner(loop: loop, children: children, signals: settings.signals, shell: settings.config.shell)
        supervisor = Supervisor(
            config: settings.config,
            selection: settings.selection,
            mainCommand: settings.mainCommand.map { .exec($0) },
            mainDependsOn: settings.config.pcinit.mainDependsOn,
            stopTimeout: settings.stopTimeout
        )
        endOfRun = EndOfRun(grace: settings.grace, stopBudget: settings.stopTimeout)
        devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        if devNull < 0 { throw SystemError("open /dev/null") }
    }

    /// Runs until every service is down and no descendant is left; returns the exit code.
    public func run() -> Int32 {
        do throws(SystemError) {
            try openControlServer()
        } catch {
            Log.error(
                "\(error.operation): not starting a second copy of its services (see `pcinit status`;"
                    + " a separate pcinit needs its own --socket)")
            return 2
        }
        do {
            try loop.watch(signalReader.fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in
                self.handleSignals(self.signalReader.drain())
            }
        } catch {
            Log.error("\(error)")
            controlServer?.close()
            return 1
        }
        openHealthServer()
        Log.sink = { [self] line in self.stderr.write(line.utf8) }
        post(.begin)
        loop.run()
        // From here on messages go straight to fd 2 again; what is queued is flushed below.
        Log.sink = nil
        // Every writer is gone: what is still in the pipes is finite, so read it all, even past the bound.
        for (_, relay) in relays { relay.drainAtExit() }
        stdout.flushBlocking()
        stderr.flushBlocking()
        for service in io.values { service.notifySocket?.close() }
        rmdir(settings.runtimeDirectory)
        tellDownWaiters(exitCode ?? 1)
        controlServer?.close()
        healthServer?.close()
        // The loop dropped its handlers when the run ended; these are the other holders of callbacks into this
        // runtime, released so that it and what it owns can go.
        probes.cancelAll()
        relays = []
        io = [:]
        return exitCode ?? 1
    }

    // MARK: - Supervisor

    /// Hands an event to the supervisor. From inside an action it only queues: the event is handled once the
    /// current actions are done, never in the middle of them.
    func post(_ event: SupervisorEvent) {
        inbox.append(event)
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !inbox.isEmpty {
            let next = inbox.removeFirst()
            let actions = supervisor.handle(next, now: MonotonicClock.now())
            if stopBegan == nil && supervisor.isStopping { stopBegan = MonotonicClock.now() }
            for action in actions { perform(action) }
            // A group found empty by a failed signal is settled once the actions are done, not from inside one.
            if groupsNeedSettling {
                groupsNeedSettling = false
                settleGroups()
            }
        }
        armDeadline()
    }

    private func armDeadline() {
        if let timer = deadlineTimer { loop.cancel(timer) }
        deadlineTimer = nil
        guard exitCode == nil, let deadline = supervisor.nextDeadline else { return }
        deadlineTimer = loop.schedule(at: deadline) { [self] in
            self.deadlineTimer = nil
            self.post(.tick)
        }
    }

    func perform(_ action: SupervisorAction) {
        switch action {
        case .serviceAdded(let id):
            addServiceIO(id)
        case .serviceRemoved(let id):
            publishRemoval(id)
            removeServiceIO(id)
        case .serviceRenamed(let id):
            renameServiceIO(id)
        case .spawn(let id):
            spawnService(id)
        case .signal(let pid, let signal, let toGroup):
            send(signal, to: pid, toGroup: toGroup)
        case .runShutdownCommand(let id, let timeout):
            runShutdownCommand(id, timeout: timeout)
        case .runProbe(let id, let kind):
            runProbe(id, kind)
        case .cancelProbes(let id):
            guard let service = io[id] else { return }
            for check in service.probeChecks { probes.cancel(check) }
            service.probeChecks = []
        case .stateChanged(let change):
            if let line = change.logLine { Log.info(line) }
            publish(ServiceEvent(change, time: WallClock.rfc3339()), baseName: change.baseName)
        case .log(let message):
            Log.info(message)
        case .controlReply(let token, let reply):
            answerControl(token, reply)
        case .exit(let code):
            finish(code)
        }
    }

    // MARK: - Per-service I/O

    private func addServiceIO(_ id: ServiceID) {
        let name = supervisor.spec(id).name
        let service = ServiceIO(name: name, prefix: "", ring: LineRing(capacity: settings.config.logLength))
        io[id] = service
        alignPrefixes()
        guard supervisor.spec(id).notify else { return }
        let path = settings.runtimeDirectory + "/notify-\(id.rawValue)-\(name).sock"
        do {
            service.notifySocket = try NotifySocket(loop: loop, path: path) { [self] in
                self.post(.notifyReady(id))
            }
        } catch {
            // The service still runs; it just cannot report READY=1, which its readiness will show.
            Log.warning("\(name): notify socket not available: \(error)")
        }
    }

    private func removeServiceIO(_ id: ServiceID) {
        guard let service = io.removeValue(forKey: id) else { return }
        for check in service.probeChecks { probes.cancel(check) }
        service.notifySocket?.close()
        followers = followers.map { ($0.connection, $0.services.subtracting([id])) }
        logLayout.forget(id)
        alignPrefixes()
        updateRingObservers()
    }

    private func renameServiceIO(_ id: ServiceID) {
        io[id]?.name = supervisor.spec(id).name
        alignPrefixes()
        updateRingObservers()
    }

    /// Names padded to a common width, as the relay prints them; relays already running keep their width.
    private func alignPrefixes() {
        let width = ServiceLogLayout.width(names: io.values.map { $0.name })
        for service in io.values { service.prefix = ServiceIO.prefix(for: service.name, width: width) }
        logLayout.applyToLog(width: width)
    }

    // MARK: - Spawning

    func environment(for id: ServiceID) -> [String] {
        let spec = supervisor.spec(id)
        var env = spec.environment.resolved(inherited: settings.inheritedEnvironment)
        if let socket = io[id]?.notifySocket { env.append("NOTIFY_SOCKET=\(socket.path)") }
        return env
    }

    func arguments(for command: CommandSpec) -> [String] {
        switch command {
        case .shell(let text): return [settings.config.shell.command, settings.config.shell.argument, text]
        case .exec(let argv): return argv
        }
    }

    func spawnService(_ id: ServiceID) {
        let spec = supervisor.spec(id)
        var request = SpawnRequest(
            arguments: arguments(for: spec.command),
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory
        )
        request.closeFrom = 3
        request.apply(spec.process)
        var terminal: Int32?
        var pipes: [(read: Int32, write: Int32)] = []
        if id == supervisor.mainCommandID {
            // The main command is the container's foreground program: our stdio and terminal, no prefix.
            terminal = ForegroundTerminal.open()
            request.terminalFD = terminal ?? -1
        } else if spec.isTTY {
            // `is_tty`: one pseudo-terminal for stdout and stderr, relayed like the stdout pipe.
            guard let pty = openTerminal(for: id) else { return }
            pipes = [(pty.master, pty.slave)]
            request.attach(pty, stdin: devNull)
        } else {
            guard let out = makePipe(), let err = makePipe() else {
                post(.spawnFailed(id, reason: "cannot create pipes: \(SystemError.describe(errno))", exitCode: 1))
                return
            }
            pipes = [out, err]
            request.stdinFD = devNull
            request.stdoutFD = out.write
            request.stderrFD = err.write
        }
        let result: Result<pid_t, SpawnError>
        do throws(SpawnError) {
            result = .success(try Spawner.spawn(request, signals: settings.signals))
        } catch {
            result = .failure(error)
        }
        if let terminal { close(terminal) }
        for pipe in pipes { close(pipe.write) }
        switch result {
        case .failure(let error):
            for pipe in pipes { close(pipe.read) }
            post(.spawnFailed(id, reason: error.description, exitCode: error.shellExitCode))
        case .success(let pid):
            var serviceRelays: [LogRelay] = []
            for (pipe, channel) in zip(pipes, [stdout, stderr]) {
                if let relay = makeRelay(for: id, fd: pipe.read, output: channel) { serviceRelays.append(relay) }
            }
            children.register(pid) { [self] termination in
                self.groups.leaderReaped(
                    GroupWatch(service: id, group: pid, leader: termination, relays: serviceRelays))
            }
            post(.spawned(id, pid: pid, startTime: WallClock.now()))
        }
    }

    private func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard pci_pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    private func makeRelay(for id: ServiceID, fd: Int32, output: OutputChannel) -> LogRelay? {
        do {
            let relayID = nextRelayID
            nextRelayID += 1
            let stream: ServiceLogLayout.Stream = output === stdout ? .stdout : .stderr
            let relay = try LogRelay(
                fd: fd,
                prefix: logLayout.prefix(io[id]?.prefix ?? "", colourIndex: id.rawValue, stream),
                output: output,
                loop: loop,
                ring: io[id]?.ring ?? LineRing(capacity: 0),
                readyLine: supervisor.spec(id).readyLogLine,
                onReadyLine: { [self] in post(.readyLogLineSeen(id)) },
                onClosed: { [self] in relays.removeAll { $0.id == relayID } },
                renderer: logLayout.renderer(name: supervisor.spec(id).name, stream),
                file: logLayout.file(id, supervisor.spec(id).logFile, name: supervisor.spec(id).name, stream)
            )
            relays.append((relayID, relay))
            return relay
        } catch {
            Log.warning("\(supervisor.spec(id).name): output not relayed: \(error)")
            close(fd)
            return nil
        }
    }

    // MARK: - Shutdown commands and probes

    private func runShutdownCommand(_ id: ServiceID, timeout: Duration) {
        let spec = supervisor.spec(id)
        guard let command = spec.shutdown.command else {
            post(.shutdownCommandFinished(id, success: false))
            return
        }
        var request = SpawnRequest(
            arguments: arguments(for: .shell(command)),
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory
        )
        request.closeFrom = 3
        request.apply(spec.process)
        request.stdinFD = devNull
        let pid: pid_t
        do throws(SpawnError) {
            pid = try Spawner.spawn(request, signals: settings.signals)
        } catch {
            Log.warning("\(spec.name): shutdown command: \(error)")
            post(.shutdownCommandFinished(id, success: false))
            return
        }
        var finished = false
        let timer = loop.schedule(at: MonotonicClock.now() + timeout) {
            guard !finished else { return }
            Log.warning(
                "\(spec.name): shutdown command still running after \(DurationText.format(timeout)): killing it")
            kill(-pid, SIGKILL)
        }
        children.register(pid) { [self] termination in
            finished = true
            self.loop.cancel(timer)
            self.post(.shutdownCommandFinished(id, success: termination == .exited(0)))
        }
    }

    private func runProbe(_ id: ServiceID, _ kind: ProbeKind) {
        let spec = supervisor.spec(id)
        guard let probe = kind == .readiness ? spec.readinessProbe : spec.livenessProbe else { return }
        var checkID: ProbeCheckID?
        checkID = probes.run(
            probe,
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory,
            process: spec.process
        ) { [self] success, detail in
            if let checkID { self.io[id]?.probeChecks.removeAll { $0 == checkID } }
            self.post(.probeFinished(id, kind, success: success, detail: detail))
        }
        if let checkID { io[id]?.probeChecks.append(checkID) }
    }
}
