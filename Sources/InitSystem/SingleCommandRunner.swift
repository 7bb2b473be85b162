import CInit
import InitCore

/// tini's job, done fully: run one command in its own process group, forward every signal to that group,
/// reap every zombie, and when the command ends, give what is left (its group, orphans) SIGTERM, a
/// grace period, then SIGKILL, and exit with the command's code once no descendant remains.
public final class SingleCommandRunner {
    public struct Settings {
        public var arguments: [String]
        public var grace: Duration
        public var signals: InheritedSignals
        /// A health listener, only when asked for (`--health-addr`/`PCINIT_HEALTH_ADDR`): like tini, this mode
        /// opens nothing by default.
        public var healthAddress: HealthAddress?

        public init(
            arguments: [String], grace: Duration, signals: InheritedSignals, healthAddress: HealthAddress? = nil
        ) {
            self.arguments = arguments
            self.grace = grace
            self.signals = signals
            self.healthAddress = healthAddress
        }
    }

    private let settings: Settings
    private var childPID: pid_t = 0
    private var childResult: ChildTermination?
    private var killTimer: EventLoop.Timer?
    /// One signal table for both modes (see `SignalPolicy`).
    private let policy = SignalPolicy()
    /// What happens to the leftovers once the command has ended (see `EndOfRun`): no stop budget here.
    private var endOfRun: EndOfRun
    private var stopBegan: Instant?
    private var exitCode: Int32 = 0
    private var startedAt: Instant?
    private var startTime: UnixTime?
    /// A stop signal was forwarded: /readyz says 503 from then on, so load balancers drain.
    private var stopForwarded = false
    private var reapedTotal = 0
    private var healthServer: HealthServer?

    /// Runs the command to completion; returns pcinit's exit code.
    public static func run(_ settings: Settings) -> Int32 {
        SingleCommandRunner(settings: settings).run()
    }

    private init(settings: Settings) {
        self.settings = settings
        endOfRun = EndOfRun(grace: settings.grace)
    }

    private func run() -> Int32 {
        var request = SpawnRequest(arguments: settings.arguments, environment: ProcessEnvironment.current())
        let terminal = ForegroundTerminal.open()
        request.terminalFD = terminal ?? -1
        do {
            childPID = try Spawner.spawn(request, signals: settings.signals)
        } catch {
            Log.error(error.description)
            return error.shellExitCode
        }
        if let terminal { close(terminal) }
        startedAt = MonotonicClock.now()
        startTime = WallClock.now()
        Log.debug("started \(settings.arguments[0]) (pid \(childPID))")
        // The child has the inherited fds now; pcinit keeps none of them, and pins no mount.
        pci_close_range_from(3)
        chdir("/")
        // Our own descriptors are made only now (signals stay queued in the mask meanwhile).
        do {
            let loop = try EventLoop()
            openHealthServer(loop)
            let reader = try SignalReader()
            return runLoop(loop: loop, reader: reader)
        } catch {
            Log.error("\(error)")
            Descendants.signalAll(SIGKILL)
            return 1
        }
    }

    private func runLoop(loop: EventLoop, reader: SignalReader) -> Int32 {
        do {
            try loop.watch(reader.fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in
                self.handleSignals(reader.drain(), loop: loop)
            }
        } catch {
            Log.error("\(error)")
            return 1
        }
        // A child that exited before the signalfd existed left its SIGCHLD queued; read it now.
        handleSignals(reader.drain(), loop: loop)
        loop.run()
        healthServer?.close()
        return exitCode
    }

    /// Before the signalfd exists: once pcinit is seen handling signals, its health port is bound too.
    private func openHealthServer(_ loop: EventLoop) {
        guard let address = settings.healthAddress, case .listen = address else { return }
        do {
            healthServer = try HealthServer(loop: loop, address: address, source: self, reserve: DescriptorReserve())
        } catch {
            Log.warning("health endpoint \(address) not available: \(error)")
        }
    }

    private func handleSignals(_ signals: [signalfd_siginfo], loop: EventLoop) {
        var reap = false
        let me = UInt32(getpid())
        for info in signals {
            let signal = Int32(info.ssi_signo)
            let raisedByUs = info.ssi_pid == me && info.ssi_code == SI_USER
            switch policy.role(of: signal, raisedByPCInit: raisedByUs) {
            case .reap:
                reap = true
            case .ignore:
                Log.debug("\(Signals.name(signal)) not forwarded")
            case .stop where endOfRun.isRunning:
                Log.debug("\(Signals.name(signal)) during cleanup: killing what is left now")
                perform(endOfRun.stopSignal(), loop: loop)
            case .stop:
                // tini's contract: the command gets the very signal, and decides how to stop.
                stopForwarded = true
                if stopBegan == nil { stopBegan = MonotonicClock.now() }
                forwardToChild(signal)
            case .forward, .reload:
                if childResult == nil { forwardToChild(signal) }
            }
        }
        if reap { reapChildren(loop: loop) }
    }

    private func forwardToChild(_ signal: Int32) {
        if kill(-childPID, signal) != 0 {
            // The group can be gone while its leader is still a zombie we have not reaped.
            kill(childPID, signal)
        }
        Log.debug("forwarded \(Signals.name(signal)) to process group \(childPID)")
    }

    private func reapChildren(loop: EventLoop) {
        let outcome = Reaper.reapAll { pid, termination in
            reapedTotal += 1
            if pid == childPID {
                childResult = termination
                exitCode = termination.shellCode
                Log.debug("\(settings.arguments[0]) (pid \(pid)) \(termination)")
            } else {
                Log.debug("reaped pid \(pid) (\(termination))")
            }
        }
        guard childResult != nil else { return }
        if !endOfRun.isRunning {
            let childrenLeft = if case .childrenRemain = outcome { true } else { false }
            Log.debug(
                "command ended; what is left gets SIGTERM, then SIGKILL after \(DurationText.format(settings.grace))")
            perform(
                endOfRun.begin(now: MonotonicClock.now(), stopBegan: stopBegan, childrenLeft: childrenLeft), loop: loop)
        } else if case .noChildrenLeft = outcome {
            perform(endOfRun.noChildrenLeft(), loop: loop)
        }
    }

    private func perform(_ actions: [EndOfRun.Action], loop: EventLoop) {
        for action in actions {
            switch action {
            case .signalEverything(let signal): Descendants.signalAll(signal)
            case .finish: loop.stop()
            }
        }
        if let killTimer { loop.cancel(killTimer) }
        killTimer = nil
        if let deadline = endOfRun.nextDeadline {
            killTimer = loop.schedule(at: deadline) { [self] in
                Log.debug("grace period over: SIGKILL to what is left")
                self.killTimer = nil
                self.perform(self.endOfRun.tick(now: MonotonicClock.now()), loop: loop)
            }
        }
    }
}

// MARK: - Health (only with an explicit health address)

extension SingleCommandRunner: HealthSource {
    public var isReady: Bool { childResult == nil && !stopForwarded }
    public var isStopping: Bool { stopForwarded || childResult != nil }

    /// The command as the one service: named after its program, as `pcinit status` would show it.
    private var commandStatus: ServiceStatus {
        let name = settings.arguments[0].split(separator: "/").last.map(String.init) ?? "command"
        guard let childResult else {
            var status = ServiceStatus(name: name, state: .running, ready: isReady, pid: childPID, startedAt: startedAt)
            status.startTime = startTime
            // The command may share pcinit's process group: its own figures only, read now that someone asks.
            status.usage = ProcessUsageReader.read(childPID).map(ProcessUsageReader.measured)
            return status
        }
        let code = childResult.shellCode
        return ServiceStatus(
            name: name, state: code == 0 ? .completed : .failed, ready: code == 0, lastExit: childResult,
            exitCode: code, startedAt: startedAt)
    }

    public func statusBody() -> String {
        HealthReport.statusJSON(
            services: [commandStatus], ready: isReady, stopping: isStopping, now: MonotonicClock.now()
        ).rendered()
    }

    public func metricsBody() -> String {
        HealthReport.metrics(
            services: [commandStatus], ready: isReady, stopping: isStopping, reapedTotal: reapedTotal,
            now: MonotonicClock.now())
    }
}

/// The controlling terminal, if pcinit has one and is in its foreground: the child's group takes it over
/// so job control and ^C work as without pcinit.
enum ForegroundTerminal {
    static func open() -> Int32? {
        let fd = InitSystem.open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        if tcgetpgrp(fd) != getpgrp() {
            close(fd)
            return nil
        }
        return fd
    }
}
