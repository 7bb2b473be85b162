import CInit
import Glibc
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

    let settings: Settings
    let loop: EventLoop
    let signalReader: SignalReader
    let children = ChildRegistry()
    let stdout: OutputChannel
    let stderr: OutputChannel
    let probes: ProbeRunner
    public private(set) var supervisor: Supervisor
    let mainID: ServiceID?
    let prefixes: [String]
    let devNull: Int32
    let rings: [LineRing]
    var relays: [LogRelay] = []
    var probeChecks: [ServiceID: [ProbeCheckID]] = [:]
    var notifySockets: [ServiceID: NotifySocket] = [:]
    /// Services whose leader was reaped, until their process group is empty too.
    var groups = ProcessGroups()
    /// A signal found a draining group empty: settle the groups after the current actions.
    var groupsNeedSettling = false
    var deadlineTimer: EventLoop.Timer?
    var stopBegan: Instant?
    var exitCode: Int32?
    var healthServer: HealthServer?
    /// One spare descriptor the listeners fall back on when pcinit runs out (see `DescriptorReserve`).
    let descriptorReserve = DescriptorReserve()
    var controlServer: ControlServer?
    /// Set while a control request is dispatched: the supervisor's `.controlReply` lands here.
    var controlReplies: [(success: Bool, message: String)]?
    /// `pcinit logs -f` clients and the services they follow.
    var followers: [(connection: ControlConnection, services: Set<Int>)] = []

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
        mainID = settings.mainCommand == nil ? nil : settings.config.services.count
        let names = supervisor.services.map(\.name)
        let width = names.map(\.count).max() ?? 0
        prefixes = names.map { $0 + String(repeating: " ", count: width - $0.count) + " | " }
        rings = names.map { _ in LineRing(capacity: settings.config.logLength) }
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
            try loop.watch(signalReader.fd, for: UInt32(EPOLLIN.rawValue)) { [unowned self] _ in
                self.handleSignals(self.signalReader.drain())
            }
            try openNotifySockets()
        } catch {
            Log.error("\(error)")
            controlServer?.close()
            return 1
        }
        openHealthServer()
        Log.sink = { [unowned self] line in self.stderr.write(line.utf8) }
        dispatch(.begin)
        loop.run()
        // From here on messages go straight to fd 2 again; what is queued is flushed below.
        Log.sink = nil
        // Every writer is gone: what is still in the pipes is finite, so read it all, even past the bound.
        for relay in relays { relay.drainAtExit() }
        stdout.flushBlocking()
        stderr.flushBlocking()
        for socket in notifySockets.values { socket.close() }
        rmdir(settings.runtimeDirectory)
        controlServer?.close()
        healthServer?.close()
        return exitCode ?? 1
    }

    // MARK: - Supervisor

    func dispatch(_ event: SupervisorEvent) {
        let actions = supervisor.handle(event, now: MonotonicClock.now())
        if stopBegan == nil && supervisor.isStopping { stopBegan = MonotonicClock.now() }
        for action in actions { perform(action) }
        // A group found empty by a failed signal is settled once the actions are done, not from inside one.
        if groupsNeedSettling {
            groupsNeedSettling = false
            settleGroups()
        }
        armDeadline()
    }

    private func armDeadline() {
        if let timer = deadlineTimer { loop.cancel(timer) }
        deadlineTimer = nil
        guard exitCode == nil, let deadline = supervisor.nextDeadline else { return }
        deadlineTimer = loop.schedule(at: deadline) { [unowned self] in
            self.deadlineTimer = nil
            self.dispatch(.tick)
        }
    }

    private func perform(_ action: SupervisorAction) {
        switch action {
        case .spawn(let id):
            spawnService(id)
        case .signal(let pid, let signal, let toGroup):
            send(signal, to: pid, toGroup: toGroup)
        case .runShutdownCommand(let id, let timeout):
            runShutdownCommand(id, timeout: timeout)
        case .runProbe(let id, let kind):
            runProbe(id, kind)
        case .cancelProbes(let id):
            for check in probeChecks.removeValue(forKey: id) ?? [] { probes.cancel(check) }
        case .log(let message):
            Log.info(message)
        case .controlReply(let success, let message):
            if controlReplies != nil {
                controlReplies?.append((success, message))
            } else if success {
                Log.info(message)
            } else {
                Log.warning(message)
            }
        case .exit(let code):
            finish(code)
        }
    }

    // MARK: - Spawning

    func environment(for id: ServiceID) -> [String] {
        let spec = supervisor.spec(id)
        var env = spec.environment.resolved(inherited: settings.inheritedEnvironment)
        if let socket = notifySockets[id] { env.append("NOTIFY_SOCKET=\(socket.path)") }
        return env
    }

    func arguments(for command: CommandSpec) -> [String] {
        switch command {
        case .shell(let text): return [settings.config.shell.command, settings.config.shell.argument, text]
        case .exec(let argv): return argv
        }
    }

    private func spawnService(_ id: ServiceID) {
        let spec = supervisor.spec(id)
        var request = SpawnRequest(
            arguments: arguments(for: spec.command),
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory
        )
        request.closeFrom = 3
        var terminal: Int32?
        var pipes: [(read: Int32, write: Int32)] = []
        if id == mainID {
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
                dispatch(.spawnFailed(id, reason: "cannot create pipes: \(SystemError.describe(errno))", exitCode: 1))
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
            dispatch(.spawnFailed(id, reason: error.description, exitCode: error.shellExitCode))
        case .success(let pid):
            var serviceRelays: [LogRelay] = []
            for (pipe, channel) in zip(pipes, [stdout, stderr]) {
                if let relay = makeRelay(for: id, fd: pipe.read, output: channel) { serviceRelays.append(relay) }
            }
            children.register(pid) { [unowned self] termination in
                self.groups.leaderReaped(
                    GroupWatch(service: id, group: pid, leader: termination, relays: serviceRelays))
            }
            dispatch(.spawned(id, pid: pid))
        }
    }

    private func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard pci_pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    private func makeRelay(for id: ServiceID, fd: Int32, output: OutputChannel) -> LogRelay? {
        do {
            var relay: LogRelay?
            relay = try LogRelay(
                fd: fd,
                prefix: prefixes[id],
                output: output,
                loop: loop,
                ring: rings[id],
                readyLine: supervisor.spec(id).readyLogLine,
                onReadyLine: { [unowned self] in self.dispatch(.readyLogLineSeen(id)) },
                onClosed: { [unowned self] in
                    self.relays.removeAll { $0 === relay }
                }
            )
            relays.append(relay!)
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
            dispatch(.shutdownCommandFinished(id, success: false))
            return
        }
        var request = SpawnRequest(
            arguments: arguments(for: .shell(command)),
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory
        )
        request.closeFrom = 3
        request.stdinFD = devNull
        let pid: pid_t
        do throws(SpawnError) {
            pid = try Spawner.spawn(request, signals: settings.signals)
        } catch {
            Log.warning("\(spec.name): shutdown command: \(error)")
            dispatch(.shutdownCommandFinished(id, success: false))
            return
        }
        var finished = false
        let timer = loop.schedule(at: MonotonicClock.now() + timeout) {
            guard !finished else { return }
            Log.warning("\(spec.name): shutdown command still running after \(timeout): killing it")
            kill(-pid, SIGKILL)
        }
        children.register(pid) { [unowned self] termination in
            finished = true
            self.loop.cancel(timer)
            self.dispatch(.shutdownCommandFinished(id, success: termination == .exited(0)))
        }
    }

    private func runProbe(_ id: ServiceID, _ kind: ProbeKind) {
        let spec = supervisor.spec(id)
        guard let probe = kind == .readiness ? spec.readinessProbe : spec.livenessProbe else { return }
        var checkID: ProbeCheckID?
        checkID = probes.run(
            probe,
            environment: environment(for: id),
            workingDirectory: spec.workingDir ?? settings.workingDirectory
        ) { [unowned self] success, detail in
            if let checkID { self.probeChecks[id]?.removeAll { $0 == checkID } }
            self.dispatch(.probeFinished(id, kind, success: success, detail: detail))
        }
        if let checkID { probeChecks[id, default: []].append(checkID) }
    }

    private func openNotifySockets() throws(SystemError) {
        for (id, status) in supervisor.services.enumerated() where supervisor.spec(id).notify {
            let path = settings.runtimeDirectory + "/notify-\(status.name).sock"
            notifySockets[id] = try NotifySocket(loop: loop, path: path) { [unowned self] in
                self.dispatch(.notifyReady(id))
            }
        }
    }

    // MARK: - Signals and the end

    private func handleSignals(_ signals: [signalfd_siginfo]) {
        var reap = false
        let me = UInt32(getpid())
        for info in signals {
            let signal = Int32(info.ssi_signo)
            switch signal {
            case SIGCHLD:
                reap = true
            case _ where info.ssi_pid == me && info.ssi_code == SI_USER:
                continue  // our own SIGPIPE
            case SIGTTIN, SIGTTOU:
                continue
            case SIGTERM, SIGINT:
                if exitCode != nil {
                    Log.info("\(Signals.name(signal)) again: killing what is left now")
                    Descendants.signalAll(SIGKILL)
                } else {
                    dispatch(.stopRequested(signal: signal))
                }
            default:
                forwardToServices(signal)
            }
        }
        if reap || groupsNeedSettling {
            groupsNeedSettling = false
            reapChildren()
        }
    }

    private func forwardToServices(_ signal: Int32) {
        for status in supervisor.services {
            guard let pid = status.pid else { continue }
            send(signal, to: pid, toGroup: true)
        }
        Log.debug("forwarded \(Signals.name(signal)) to every service")
    }

    /// `pid` is a service's main pid, which is also its process group's id.
    private func send(_ signal: Int32, to pid: pid_t, toGroup: Bool) {
        if toGroup {
            if kill(-pid, signal) == 0 { return }
            // A leader that moved itself to another group is reached by its pid, but only while it is still
            // our unreaped child: after the reap the number may belong to someone else.
            if children.isWaiting(for: pid) {
                kill(pid, signal)
            } else if groups.isDraining(pid) {
                // The group emptied without a reap telling us (its last member left it).
                groupsNeedSettling = true
            }
        } else if children.isWaiting(for: pid) {
            kill(pid, signal)
        }
    }

    private func reapChildren() {
        let outcome = children.reap()
        settleGroups()
        if exitCode != nil, case .noChildrenLeft = outcome { loop.stop() }
    }

    /// After a reap: a service whose leader is gone is over once its whole group is; until then it drains.
    func settleGroups() {
        for change in groups.settle() {
            switch change {
            case .leaderGone(let watch):
                dispatch(.leaderExited(watch.service, watch.leader))
            case .groupGone(let watch):
                // Every writer of the service's pipes is gone: relay the last lines before saying so.
                for relay in watch.relays { relay.readAvailable() }
                dispatch(.exited(watch.service, watch.leader))
            }
        }
    }

    /// Every service is down: whatever is left belongs to no service. TERM, a grace period bounded by the
    /// stop budget, KILL; the loop ends when the last child is reaped.
    private func finish(_ code: Int32) {
        exitCode = code
        if let timer = deadlineTimer { loop.cancel(timer) }
        if case .noChildrenLeft = children.reap() {
            loop.stop()
            return
        }
        var killAt = MonotonicClock.now() + settings.grace
        if let stopBegan, stopBegan + settings.stopTimeout < killAt { killAt = stopBegan + settings.stopTimeout }
        Log.info("services are down; stopping processes that belong to no service")
        Descendants.signalAll(SIGTERM)
        Descendants.signalAll(SIGCONT)
        loop.schedule(at: killAt) {
            Log.warning("processes still running after the grace period: SIGKILL")
            Descendants.signalAll(SIGKILL)
        }
    }
}
