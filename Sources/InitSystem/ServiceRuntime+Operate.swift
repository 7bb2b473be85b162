import CInit
import InitCore

/// What re-reading the config gives: the config and the settings it implies, with the same precedence as at
/// start (flag, environment, `x-pcinit`, default), or every diagnostic and nothing else.
public enum ConfigReading {
    case read(ReadConfig)
    /// `file:line:col: …` lines; nothing is changed.
    case failed([String])
}

public struct ReadConfig {
    public var config: ProjectConfig
    public var stopTimeout: Duration
    public var grace: Duration
    public var logLevel: Log.Level?
    /// The effective health address and control socket: a change needs a restart of pcinit.
    public var healthAddress: HealthAddress?
    public var controlSocketPath: String?

    public init(
        config: ProjectConfig, stopTimeout: Duration, grace: Duration, logLevel: Log.Level?,
        healthAddress: HealthAddress?, controlSocketPath: String?
    ) {
        self.config = config
        self.stopTimeout = stopTimeout
        self.grace = grace
        self.logLevel = logLevel
        self.healthAddress = healthAddress
        self.controlSocketPath = controlSocketPath
    }
}

/// Operating a running pcinit: reload, down, and the event stream.
extension ServiceRuntime {
    // MARK: - Reload

    /// Reads the files first, in the shell (the supervisor never does I/O); a broken config changes nothing and
    /// is answered with every diagnostic.
    func reload(_ pending: PendingControl, token: ControlToken) {
        guard let readConfig = settings.readConfig else {
            fail(pending, code: ControlError.applicationError, "this pcinit cannot reload")
            return
        }
        switch readConfig([:]) {
        case .failed(let diagnostics):
            fail(
                pending, code: ControlError.configInvalid,
                "the config has errors; nothing was changed:\n" + diagnostics.joined(separator: "\n"))
        case .read(let read):
            var pending = pending
            pending.extraOutcomes = applySettings(read)
            pendingControl[token] = pending
            post(.control(.reload(read.config, stopTimeout: read.stopTimeout), token: token))
        }
    }

    // MARK: - Scale

    /// New replicas are made from the file's definition rendered for their index (templates such as
    /// `{{.PC_REPLICA_NUM}}` differ per replica), so the files are read with the new count first.
    func scale(_ pending: PendingControl, service: String, replicas: Int, token: ControlToken) {
        var specs: [ServiceConfig] = []
        if replicas > 0, let readConfig = settings.readConfig {
            switch readConfig([service: replicas]) {
            case .failed(let diagnostics):
                fail(
                    pending, code: ControlError.configInvalid,
                    "cannot scale \(service): the config has errors now; nothing was changed:\n"
                        + diagnostics.joined(separator: "\n"))
                return
            case .read(let read):
                specs = read.config.services.filter { $0.baseName == service }
            }
        }
        pendingControl[token] = pending
        post(.control(.scale(service: service, replicas: replicas, specs: specs), token: token))
    }

    /// SIGHUP with `x-pcinit: {sighup: reload}`: the same reload, answered in the log.
    func reloadOnHangup() {
        Log.info("SIGHUP: reloading the config")
        let token = ControlToken(nextControlToken)
        nextControlToken += 1
        reload(PendingControl(command: .reload, connection: nil, id: .null), token: token)
    }

    private func fail(_ pending: PendingControl, code: Int, _ message: String) {
        if let connection = pending.connection {
            connection.fail(id: pending.id, code: code, message: message)
        } else {
            Log.error("reload: \(message)")
        }
    }

    /// The settings a reload can apply at once; the listeners' addresses are kept (and said so).
    private func applySettings(_ read: ReadConfig) -> [ControlOutcome] {
        var lines: [ControlOutcome] = []
        if read.grace != settings.grace {
            lines.append(
                ControlOutcome(service: "grace", ok: true, message: "grace is now \(DurationText.format(read.grace))"))
            settings.grace = read.grace
            if !endOfRun.isRunning { endOfRun = EndOfRun(grace: read.grace, stopBudget: read.stopTimeout) }
        }
        if let level = read.logLevel, level != Log.level {
            lines.append(ControlOutcome(service: "log_level", ok: true, message: "log_level is now \(level.name)"))
            Log.level = level
        }
        if let address = read.healthAddress, address != settings.healthAddress {
            lines.append(
                ControlOutcome(
                    service: "health_addr", ok: true,
                    message:
                        "health_addr changed to \(address): needs a restart of pcinit (keeping \(settings.healthAddress))"
                ))
        }
        if read.controlSocketPath != settings.controlSocketPath {
            let old = settings.controlSocketPath ?? "none"
            lines.append(
                ControlOutcome(
                    service: "socket", ok: true,
                    message:
                        "socket changed to \(read.controlSocketPath ?? "none"): needs a restart of pcinit (keeping \(old))"
                ))
        }
        settings.config.shell = read.config.shell
        return lines
    }

    // MARK: - Events

    /// A snapshot line per service, then every transition, until pcinit exits or the subscriber falls behind.
    func subscribe(_ connection: ControlConnection, to names: [String], id: JSONValue) throws(ControlError) {
        let unknown = names.filter { name in
            !supervisor.services.contains { $0.name == name }
                && !supervisor.serviceIDs.contains {
                    supervisor.spec($0).baseName == name
                }
        }
        if let first = unknown.first {
            throw ControlError(id: id, code: ControlError.applicationError, message: "no service named \"\(first)\"")
        }
        let time = WallClock.rfc3339()
        let snapshot = observedServices(withUsage: false).compactMap { status -> JSONValue? in
            guard let service = status.id,
                ServiceEvent.wanted(status.name, baseName: supervisor.spec(service).baseName, by: names)
            else { return nil }
            return ServiceEvent(snapshot: status, time: time).json
        }
        connection.reply(id: id, result: .object([("events", .array(snapshot))]))
        connection.isFollowing = true
        eventFollowers.append((connection, names))
        let follower = connection.id
        connection.onClose = { [self] in eventFollowers.removeAll { $0.connection.id == follower } }
    }

    func publish(_ event: ServiceEvent, baseName: String) {
        guard !eventFollowers.isEmpty || healthServer?.hasEventSubscribers == true else { return }
        let json = event.json
        // Rendered once for every follower, not once per follower.
        var line: String?
        for follower in eventFollowers where ServiceEvent.wanted(event.name, baseName: baseName, by: follower.names) {
            if line == nil {
                line = ControlMessage.notification(method: ServiceEvent.notificationMethod, params: json).line
            }
            follower.connection.notify(line: line!) { queued in
                "events: dropped, \(queued) bytes behind (a subscriber must keep reading)"
            }
        }
        if healthServer?.hasEventSubscribers == true { healthServer?.publishEvent(json.rendered()) }
    }

    /// The last event of a service a reload or scale removed (the supervisor has forgotten it by now).
    func publishRemoval(_ id: ServiceID) {
        guard let name = io[id]?.name else { return }
        let event = ServiceEvent(
            time: WallClock.rfc3339(), name: name, state: "removed", ready: false, pid: nil, exitCode: nil,
            restarts: 0, reason: "removed", kind: .removed)
        publish(event, baseName: name)
    }

    // MARK: - Down

    /// The `down` client waits on its connection; it hears pcinit's exit code just before pcinit exits.
    func waitForExit(_ connection: ControlConnection) {
        connection.isFollowing = true
        downWaiters.append(connection)
    }

    func tellDownWaiters(_ code: Int32) {
        for connection in downWaiters where connection.isOpen {
            connection.notify(method: ServiceEvent.exitedMethod, params: .object([("code", .int(Int64(code)))]))
        }
        downWaiters = []
    }
}
