/// The phase of the whole run.
enum RunPhase: Sendable {
    /// Before `.begin`.
    case notBegun
    case running
    case stopping(RunStop)
    /// `.exit` was emitted; nothing happens any more.
    case exited(code: Int32)
}

/// The run's stop in progress.
struct RunStop: Sendable {
    var cause: RunStopCause
    /// The global budget: whatever is still up then gets SIGKILL.
    var killEverythingAt: Instant
    var killedEverything = false
    /// Ordered stop: the DependencyGraph level being stopped now (highest first).
    var level: Int
}

/// The supervisor state machine: decides what to start, when, what to restart, when something is ready,
/// how to stop, and the exit code. Pure: the system layer feeds it events with the current time and carries
/// out the actions it returns; every wait is a deadline in `nextDeadline`.
public struct Supervisor: Sendable {
    var records = ServiceTable()
    var mainID: ServiceID?
    var orderedShutdown: Bool
    var stopTimeout: Duration
    /// How `command` strings run; a reload may change it.
    var shell: ShellConfig
    /// The command line's service names: a reload applies the same selection to the new config.
    let selection: [String]
    /// Each base name's definition (its first replica's), so `scale` can make replicas, even from zero.
    var templates: [String: ServiceConfig] = [:]
    /// A scale or reload changed the set of services: an empty set then waits for the next change instead of
    /// ending the run.
    var reshaped = false
    var phase: RunPhase = .notBegun
    var stopSignalsReceived = 0
    /// The next id to hand out: ids are never reused.
    var nextID = 0
    /// Actions produced while handling the current event.
    var output: [SupervisorAction] = []
    /// The answer to the current control event, placed after its effects.
    var controlReply: SupervisorAction?
    /// Per-service outcomes of the current control event, in request order.
    var controlOutcomes: [ControlOutcome] = []

    /// - Parameters:
    ///   - selection: service names (or replica base names) from the command line; empty runs every enabled
    ///     service. Check them first with `unknownNames(_:in:)`.
    ///   - mainCommand: `-- COMMAND`: a synthetic last service whose end stops everything and gives the exit code.
    ///   - mainDependsOn: services the main command waits to be ready for; nil waits for every service of the run.
    ///   - stopTimeout: the global stop budget (PCINIT_STOP_TIMEOUT).
    public init(
        config: ProjectConfig,
        selection: [String] = [],
        mainCommand: CommandSpec? = nil,
        mainDependsOn: [String]? = nil,
        stopTimeout: Duration = .seconds(10)
    ) {
        var specs = config.services
        var takesPart = Self.participation(of: specs, selection: selection)
        if let mainCommand {
            let waitFor = mainDependsOn ?? specs.indices.filter { takesPart[$0] }.map { specs[$0].name }
            specs.append(Self.mainSpec(command: mainCommand, waitingFor: waitFor, takenNames: specs.map { $0.name }))
            takesPart.append(true)
        }
        orderedShutdown = config.orderedShutdown
        self.stopTimeout = stopTimeout
        shell = config.shell
        self.selection = selection
        for spec in config.services where templates[spec.baseName] == nil { templates[spec.baseName] = spec }
        for (index, spec) in specs.enumerated() {
            let id = issueID()
            let state = takesPart[index] ? ServiceState.pending : .outOfRun(spec)
            records.append(ServiceRecord(id: id, spec: spec, state: state))
            if mainCommand != nil && index == specs.count - 1 { mainID = id }
        }
        resolveGraph()
    }

    /// A fresh id, never handed out before.
    mutating func issueID() -> ServiceID {
        defer { nextID += 1 }
        return ServiceID(rawValue: nextID)
    }

    /// Resolves every record's `depends_on` by name and its stop level: at start, and whenever services come or
    /// go. A name that matches no service is dropped (config validation reports it).
    mutating func resolveGraph() {
        var byName: [String: ServiceID] = [:]
        for record in records where byName[record.name] == nil { byName[record.name] = record.id }
        var edges: [String: [String]] = [:]
        for record in records { edges[record.name, default: []] += record.spec.dependsOn.map { $0.service } }
        let names = records.map { $0.name }
        let levels = DependencyGraph(names: names, edges: edges).levels()
        for (index, id) in records.ids.enumerated() {
            records[id].dependencies = records[id].spec.dependsOn.compactMap { dependency in
                byName[dependency.service].map { ($0, dependency.condition) }
            }
            records[id].shutdownLevel = levels[index]
        }
    }

    /// The main command as a service: never restarted, its end (or skip) ends the run, and it waits for
    /// its dependencies to be ready (`process_healthy`).
    static func mainSpec(command: CommandSpec, waitingFor: [String], takenNames: [String]) -> ServiceConfig {
        ServiceConfig(
            name: takenNames.contains("main") ? "main-command" : "main",
            command: command,
            dependsOn: waitingFor.map { Dependency(service: $0, condition: .processHealthy) },
            availability: Availability(restart: .no, exitOnEnd: true, exitOnSkipped: true)
        )
    }

    // MARK: Queries

    public var services: [ServiceStatus] { records.map(status(of:)) }

    func status(of record: ServiceRecord) -> ServiceStatus {
        var status = record.status
        guard record.state.isUp else { return status }
        var killAt: Instant?
        if let stop = record.stop, !stop.killSent { killAt = stop.killAt }
        if case .stopping(let run) = phase, !run.killedEverything, killAt.map({ run.killEverythingAt < $0 }) ?? true {
            killAt = run.killEverythingAt
        }
        status.killAt = killAt
        return status
    }

    /// Ids in display order.
    public var serviceIDs: [ServiceID] { records.ids }

    /// Every service of the run is ready (a successful one-shot, or one stopped over the control socket,
    /// counts) and no stop has begun: `/readyz` answers 200.
    public var isReady: Bool {
        guard case .running = phase else { return false }
        return records.allSatisfy { !$0.takesPart || $0.satisfiesReadiness }
    }

    public var isStopping: Bool {
        switch phase {
        case .stopping, .exited: true
        case .notBegun, .running: false
        }
    }

    public func service(named name: String) -> ServiceID? { records.id(named: name) }

    /// The main command's service, or nil in config mode.
    public var mainCommandID: ServiceID? { mainID }

    /// Whether `id` names a service that still exists.
    public func knows(_ id: ServiceID) -> Bool { records.contains(id) }

    /// What to spawn for `id`.
    public func spec(_ id: ServiceID) -> ServiceConfig { records[id].spec }

    public func status(_ id: ServiceID) -> ServiceStatus { status(of: records[id]) }

    /// The earliest moment something is due (probe check, restart, SIGKILL, stop budget); nil when nothing is.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        func consider(_ instant: Instant?) {
            guard let instant else { return }
            if earliest.map({ instant < $0 }) ?? true { earliest = instant }
        }
        if case .stopping(let stop) = phase, !stop.killedEverything { consider(stop.killEverythingAt) }
        // After every event: fields read in place, never a copy of a record (they hold the whole definition).
        for position in records.positions {
            if records[position: position].state == .restarting { consider(records[position: position].restartAt) }
            if let killAt = records[position: position].stop.flatMap({ $0.killSent ? nil : $0.killAt }),
                records[position: position].pid != nil
            {
                consider(killAt)
            }
            if records[position: position].isProbing {
                if let schedule = records[position: position].readinessProbe, !schedule.checkInFlight {
                    consider(schedule.nextCheckAt)
                }
                if let schedule = records[position: position].livenessProbe, !schedule.checkInFlight {
                    consider(schedule.nextCheckAt)
                }
            }
        }
        return earliest
    }

    // MARK: Events

    public mutating func handle(_ event: SupervisorEvent, now: Instant) -> [SupervisorAction] {
        if case .exited = phase {
            switch event {
            case .control(_, let token):
                return [.controlReply(token, .refused("pcinit is exiting"))]
            default:
                return []
            }
        }
        output = []
        controlReply = nil
        apply(event, now: now)
        settle(now: now)
        if let controlReply {
            // The reply goes last, but `.exit` stays the very last action.
            let beforeExit = if case .exit? = output.last { output.count - 1 } else { output.count }
            output.insert(controlReply, at: beforeExit)
        }
        defer {
            output = []
            controlReply = nil
        }
        return output
    }

    mutating func apply(_ event: SupervisorEvent, now: Instant) {
        switch event {
        case .begin:
            guard case .notBegun = phase else { return }
            phase = .running
            for id in records.ids { output.append(.serviceAdded(id)) }
            for id in records.ids {
                records[id].since = now
                if records[id].takesPart { warnAboutDependenciesNotInRun(id) }
            }
        case .tick:
            break
        case .spawned(let id, let pid, let startTime):
            serviceSpawned(id, pid: pid, startTime: startTime, now: now)
        case .spawnFailed(let id, let reason, let exitCode):
            serviceFailedToSpawn(id, reason: reason, exitCode: exitCode, now: now)
        case .exited(let id, let termination):
            processExited(id, termination, now: now)
        case .leaderExited(let id, let termination):
            leaderExited(id, termination, now: now)
        case .probeFinished(let id, let kind, let success, let detail):
            probeFinished(id, kind, success: success, detail: detail, now: now)
        case .readyLogLineSeen(let id):
            guard records.contains(id), records[id].isProbing else { return }
            records[id].signals.readyLineSeen = true
            records[id].readyLineEverSeen = true
            updateReadiness(id)
        case .notifyReady(let id):
            guard records.contains(id), records[id].isProbing else { return }
            records[id].signals.notified = true
            updateReadiness(id)
        case .shutdownCommandFinished(let id, let success):
            shutdownCommandFinished(id, success: success, now: now)
        case .stopRequested(let signal):
            stopRequested(signal: signal, now: now)
        case .control(let order, let token):
            control(order, token: token, now: now)
        }
    }

    /// After every event: fire what is due, start what can start, and move the run's end forward.
    mutating func settle(now: Instant) {
        fireDueTimers(now: now)
        if case .running = phase { startWhatCan(now: now) }
        if case .running = phase { exitIfAllFinished() }
        if case .stopping = phase { advanceRunStop(now: now) }
        sweepRemoved()
        if case .running = phase { startWhatCan(now: now) }
    }

    /// Services a reload or a scale-down removed leave the table once they are down.
    mutating func sweepRemoved() {
        var removed = false
        for id in records.ids where records[id].removeWhenDown && !records[id].state.isUp {
            records.remove(id)
            output.append(.serviceRemoved(id))
            removed = true
        }
        if removed { resolveGraph() }
    }

    mutating func fireDueTimers(now: Instant) {
        if case .stopping(let stop) = phase, !stop.killedEverything, stop.killEverythingAt <= now {
            killEverything(because: "stop timeout \(LogText.duration(stopTimeout)) reached", now: now)
        }
        for id in records.ids {
            if records[id].state == .restarting, let at = records[id].restartAt, at <= now, case .running = phase {
                spawn(id, now: now)
            }
            if let stop = records[id].stop, !stop.killSent, stop.killAt <= now, let pid = records[id].pid {
                records[id].stop?.killSent = true
                log("\(records[id].name) killed after \(LogText.duration(stop.killAt - stop.startedAt))")
                output.append(.signal(pid: pid, signal: SignalPolicy.Number.kill, toGroup: true))
            }
            runDueProbes(id, now: now)
        }
    }

    // MARK: Helpers

    mutating func log(_ message: String) { output.append(.log(message)) }

    /// The one place a service's state changes: every change leaves as a `.stateChanged`, with `reason` as the
    /// words of its log line (nil: no log line).
    mutating func setState(_ id: ServiceID, _ state: ServiceState, now: Instant, reason: String? = nil) {
        let from = records[id].state
        records[id].state = state
        records[id].since = now
        output.append(.stateChanged(change(id, from: from, reason: reason)))
    }

    func change(_ id: ServiceID, from: ServiceState, reason: String?) -> StateChange {
        let record = records[id]
        return StateChange(
            service: id, name: record.name, baseName: record.spec.baseName, from: from, to: record.state,
            ready: record.readyAsShown, pid: record.pid,
            exitCode: record.exitCode, restarts: record.restarts, reason: reason)
    }
}
