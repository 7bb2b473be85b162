import CInit
import InitCore

/// Identifies one check started by `ProbeRunner.run`, so it can be cancelled.
public struct ProbeCheckID: Hashable, Sendable, CustomStringConvertible {
    fileprivate let value: UInt64

    public var description: String { "probe-check-\(value)" }
}

/// A check in flight. `stop()` releases what it holds (kills its process group, closes its socket, cancels
/// its name lookup) without reporting anything: the runner decides what, if anything, is reported.
protocol RunningCheck: AnyObject {
    func stop()
    /// What the check is still waiting for when that is worth naming in a timeout (`resolving db`), or nil.
    var pendingStage: String? { get }
}

extension RunningCheck {
    var pendingStage: String? { nil }
}

/// Runs single readiness/liveness checks (exec, tcp, http_get) on the event loop, never blocking it.
/// The supervisor decides when to check; this only performs one check and reports the outcome.
public final class ProbeRunner {
    /// How an exec check hands its child to whoever reaps it. The runtime uses `ChildRegistry.register`;
    /// tests inject their own so they never need `waitpid(-1)` in a shared test process.
    typealias ChildRegistration = (pid_t, @escaping (ChildTermination) -> Void) -> Void

    private struct Entry {
        var check: RunningCheck?
        var deadline: EventLoop.Timer?
        var completion: (Bool, String) -> Void
    }

    let loop: EventLoop
    let signals: InheritedSignals
    let shell: ShellConfig
    let registerChild: ChildRegistration
    /// Shared by the runner's tcp and http checks, so its cache serves every probe that names a host.
    let resolver: HostResolver
    private var active: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 1

    public convenience init(loop: EventLoop, children: ChildRegistry, signals: InheritedSignals, shell: ShellConfig) {
        self.init(loop: loop, signals: signals, shell: shell, registerChild: { children.register($0, onExit: $1) })
    }

    init(
        loop: EventLoop,
        signals: InheritedSignals,
        shell: ShellConfig,
        resolver: ResolverSettings = .init(),
        registerChild: @escaping ChildRegistration
    ) {
        self.loop = loop
        self.signals = signals
        self.shell = shell
        self.registerChild = registerChild
        self.resolver = HostResolver(loop: loop, settings: resolver)
    }

    /// Stops every check in flight: no process or socket outlives the runner's use, nothing is reported. The
    /// loop holds the runner through its checks' timers and watches until then.
    public func cancelAll() {
        for id in Array(active.keys) { cancel(ProbeCheckID(value: id)) }
    }

    /// Checks still in flight.
    public var activeCount: Int { active.count }

    /// Runs one check of `probe` for a service; `completion(success, detail)` is called exactly once, within
    /// `probe.timeout` (+ a few ms), unless cancelled. It is never called from inside `run` itself, so the
    /// caller always has the returned ID first.
    /// `environment`: the service's full `KEY=VALUE` env (exec checks run with it); `workingDirectory`: the
    /// service's (exec checks use the probe's `workingDir` ?? this); `process`: the service's user, umask and
    /// limits, which its exec checks run with too.
    @discardableResult
    public func run(
        _ probe: ProbeConfig,
        environment: [String],
        workingDirectory: String?,
        process: ProcessSettings = .init(),
        completion: @escaping (Bool, String) -> Void
    ) -> ProbeCheckID {
        let id = ProbeCheckID(value: nextID)
        nextID += 1
        active[id.value] = Entry(check: nil, deadline: nil, completion: completion)

        let timeout = probe.timeout > .zero ? probe.timeout : .seconds(1)
        let deadline = MonotonicClock.now() + timeout
        // Registered before the check starts so that a check failing at once still finds its entry.
        active[id.value]?.deadline = loop.schedule(at: deadline) { [self] in expire(id, after: timeout) }

        // An outcome known while `run` is still on the stack (spawn failed, connected at once) reaches the
        // caller on the next loop turn instead, so the caller always holds the ID before its completion runs.
        let gate = StartGate()
        // The check holds this until it reports or is stopped; a report for an id no longer active is a no-op.
        let report: (Bool, String) -> Void = { [self] success, detail in
            if gate.starting {
                loop.schedule(at: MonotonicClock.now()) { [self] in finish(id, success: success, detail: detail) }
            } else {
                finish(id, success: success, detail: detail)
            }
        }
        let check: RunningCheck?
        switch probe.check {
        case .exec(let command, let probeWorkingDir):
            check = ExecCheck.start(
                runner: self,
                arguments: [shell.command, shell.argument, command],
                environment: environment,
                workingDirectory: probeWorkingDir ?? workingDirectory,
                process: process,
                report: report
            )
        case .execArguments(let arguments, let probeWorkingDir):
            check = ExecCheck.start(
                runner: self, arguments: arguments, environment: environment,
                workingDirectory: probeWorkingDir ?? workingDirectory, process: process, report: report)
        case .tcp(let host, let port):
            check = TCPCheck.start(loop: loop, resolver: resolver, host: host, port: port, report: report)
        case .httpGet(let host, let port, let path, let scheme, let headers, let statusCode):
            let request = HTTPCheck.Request(
                host: host,
                port: port,
                path: path,
                scheme: scheme,
                headers: headers,
                expectedStatus: statusCode
            )
            check = HTTPCheck.start(loop: loop, resolver: resolver, request: request, report: report)
        }
        gate.starting = false
        // The check may already have finished (deferred report pending): only keep it while active.
        if active[id.value] != nil { active[id.value]?.check = check }
        return id
    }

    /// Stops a check in flight (kills its process group / closes its socket); its completion is never called.
    public func cancel(_ id: ProbeCheckID) {
        guard let entry = active.removeValue(forKey: id.value) else { return }
        if let deadline = entry.deadline { loop.cancel(deadline) }
        entry.check?.stop()
    }

    private func finish(_ id: ProbeCheckID, success: Bool, detail: String) {
        guard let entry = active.removeValue(forKey: id.value) else { return }
        if let deadline = entry.deadline { loop.cancel(deadline) }
        // The check has reported, so it let go of its resources already; stop() is for the other paths.
        entry.completion(success, detail)
    }

    private func expire(_ id: ProbeCheckID, after timeout: Duration) {
        guard let entry = active.removeValue(forKey: id.value) else { return }
        let stage = entry.check?.pendingStage.map { " \($0)" } ?? ""
        entry.check?.stop()
        entry.completion(false, "timed out after \(DurationText.format(timeout))\(stage)")
    }
}

private final class StartGate {
    var starting = true
}
