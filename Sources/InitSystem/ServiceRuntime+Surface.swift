import CInit
import InitCore

// MARK: - Health endpoint

extension ServiceRuntime: HealthSource {
    public var isReady: Bool { supervisor.isReady }
    public var isStopping: Bool { supervisor.isStopping }

    public func statusBody() -> String {
        HealthReport.statusJSON(
            services: observedServices(withUsage: true),
            ready: supervisor.isReady,
            stopping: supervisor.isStopping,
            now: MonotonicClock.now()
        ).rendered()
    }

    /// One JSON object per service: the snapshot `GET /events` starts with.
    public func eventSnapshot() -> [String]? {
        let time = WallClock.rfc3339()
        return observedServices(withUsage: false).map { ServiceEvent(snapshot: $0, time: time).json.rendered() }
    }

    public func metricsBody() -> String {
        HealthReport.metrics(
            services: observedServices(withUsage: true),
            ready: supervisor.isReady,
            stopping: supervisor.isStopping,
            reapedTotal: children.reapedTotal,
            now: MonotonicClock.now()
        )
    }

    /// The supervisor's statuses, with each service's pid replaced by the process doing its work (see
    /// `ProcessTable.mainPID`) and, `withUsage`, the CPU and memory of each service's process group. /proc is
    /// read only here, when someone asks (a status or metrics request), once, and only if some service needs it:
    /// nothing polls it.
    func observedServices(withUsage: Bool) -> [ServiceStatus] {
        var statuses = supervisor.services
        // The supervisor's pid is the process group's id, kept while any member of the group is left.
        let groups = statuses.map { $0.pid }
        var table: [ProcessEntry]?
        func snapshot() -> [ProcessEntry] {
            if table == nil { table = ProcessTable.snapshot() }
            return table ?? []
        }
        for index in statuses.indices {
            guard let group = statuses[index].pid, let id = statuses[index].id else { continue }
            let leaderAlive = children.isWaiting(for: group)
            let viaShell =
                if case .shell(let text) = supervisor.spec(id).command { ShellCommand.isSimple(text) } else { false }
            guard viaShell || !leaderAlive else { continue }
            statuses[index].pid = ProcessTable.mainPID(
                group: group, leaderAlive: leaderAlive, viaShell: viaShell, in: snapshot())
        }
        let measured = Set(groups.compactMap { $0 })
        guard withUsage, !measured.isEmpty else { return statuses }
        let usage = ProcessUsageReader.groups(measured, in: snapshot())
        for index in statuses.indices {
            statuses[index].usage = groups[index].flatMap { usage[$0] }
        }
        return statuses
    }

    /// A listener that cannot be opened (port taken) is reported and the services run anyway: the platform's
    /// check will say the container is unhealthy, which is the truth.
    func openHealthServer() {
        guard case .listen = settings.healthAddress else { return }
        do {
            healthServer = try HealthServer(
                loop: loop, address: settings.healthAddress, source: self, reserve: descriptorReserve)
            Log.debug("health endpoint on \(settings.healthAddress)")
        } catch {
            Log.warning("health endpoint \(settings.healthAddress) not available: \(error)")
        }
    }
}

// MARK: - Control socket

extension ServiceRuntime {
    /// Without a control socket pcinit still runs; only `pcinit status/start/stop/logs` cannot reach it. But a
    /// live pcinit answering on the socket means this one would run a second copy of every service (a
    /// `docker exec app pcinit` that forgot its subcommand): that is refused, and the caller exits 2.
    func openControlServer() throws(SystemError) {
        guard let path = settings.controlSocketPath else { return }
        do throws(SystemError) {
            controlServer = try ControlServer(loop: loop, path: path, reserve: descriptorReserve) {
                [self] request, connection in
                self.handleControl(request, connection)
            }
        } catch  where error.errno == EADDRINUSE {
            throw error
        } catch {
            Log.warning("control socket \(path) not available: \(error)")
        }
    }

    /// Decodes the request once and hands it to the supervisor through the inbox; the answer comes back as
    /// its `.controlReply`, with this token.
    func handleControl(_ request: ControlRequest, _ connection: ControlConnection) {
        let command: ControlCommand
        do throws(ControlError) {
            command = try ControlCommand.decode(request)
        } catch {
            connection.fail(id: request.id, code: error.code, message: error.message)
            return
        }
        let token = ControlToken(nextControlToken)
        nextControlToken += 1
        let pending = PendingControl(command: command, connection: connection, id: request.id)
        guard let order = command.order else {
            // `reload` and `scale` read the files here first; their orders carry what was read.
            if case .scale(let service, let replicas) = command {
                scale(pending, service: service, replicas: replicas, token: token)
            } else {
                reload(pending, token: token)
            }
            return
        }
        pendingControl[token] = pending
        post(.control(order, token: token))
    }

    /// The supervisor's `.controlReply`: answer the connection that asked (if it is still there).
    func answerControl(_ token: ControlToken, _ reply: ControlReply) {
        guard let pending = pendingControl.removeValue(forKey: token) else { return }
        guard let connection = pending.connection else {
            logOnly(reply, extra: pending.extraOutcomes)
            return
        }
        guard connection.isOpen else { return }
        let id = pending.id
        switch reply {
        case .refused(let message):
            connection.fail(id: id, code: ControlError.applicationError, message: message)
        case .outcomes(let outcomes):
            let all = outcomes + pending.extraOutcomes
            for outcome in all { Log.info("control: \(outcome.message)") }
            connection.reply(id: id, result: ControlOutcome.result(all))
        case .accepted(let message):
            Log.info("control: \(message)")
            connection.reply(id: id, result: .object([("message", .string(message))]))
            if case .down = pending.command { waitForExit(connection) }
        case .answer:
            do throws(ControlError) {
                try answerQuery(pending.command, id: id, on: connection)
            } catch {
                connection.fail(id: id, code: error.code, message: error.message)
            }
        }
    }

    /// The answer to a request nobody waits for (SIGHUP's reload).
    private func logOnly(_ reply: ControlReply, extra: [ControlOutcome]) {
        switch reply {
        case .outcomes(let outcomes):
            let all = outcomes + extra
            if all.isEmpty { Log.info("reload: nothing changed") }
            for outcome in all { Log.info("reload: \(outcome.message)") }
        case .refused(let message), .accepted(let message):
            Log.info("reload: \(message)")
        case .answer:
            break
        }
    }

    /// The requests answered from the runtime's own state.
    private func answerQuery(_ command: ControlCommand, id: JSONValue, on connection: ControlConnection)
        throws(ControlError)
    {
        switch command {
        case .status:
            let report = StatusReport(
                ready: supervisor.isReady,
                stopping: supervisor.isStopping,
                statuses: observedServices(withUsage: true),
                now: MonotonicClock.now(),
                healthAddress: settings.healthAddress.description
            )
            connection.reply(id: id, result: report.json)
        case .logs(let request):
            try sendLogs(request, id: id, to: connection)
        case .events(let names):
            try subscribe(connection, to: names, id: id)
        case .start, .stop, .restart, .reload, .scale, .signal, .down:
            // The supervisor answers these itself; reaching here would be a supervisor bug.
            connection.fail(id: id, code: ControlError.applicationError, message: "internal error: not a query")
        }
    }

    private func sendLogs(_ request: LogsRequest, id: JSONValue, to connection: ControlConnection) throws(ControlError)
    {
        var selected: [ServiceID] = []
        for name in request.services {
            guard let service = supervisor.service(named: name), io[service] != nil else {
                throw ControlError(id: id, code: ControlError.applicationError, message: "no service named \"\(name)\"")
            }
            selected.append(service)
        }
        if selected.isEmpty { selected = supervisor.serviceIDs.filter { io[$0] != nil } }
        // `-n N` is per service, as `docker compose logs --tail N`; lines come in the order they were relayed.
        var numbered: [(sequence: Int, entry: LogEntry)] = []
        for service in selected {
            guard let serviceIO = io[service] else { continue }
            numbered += serviceIO.ring.numberedLines(request.lines).map {
                ($0.sequence, LogEntry(service: serviceIO.name, line: $0.text))
            }
        }
        let entries = numbered.sorted { $0.sequence < $1.sequence }.map { $0.entry }
        connection.reply(id: id, result: LogEntry.result(entries))
        guard request.follow else { return }
        connection.isFollowing = true
        followers.append((connection, Set(selected)))
        let follower = connection.id
        connection.onClose = { [self] in
            followers.removeAll { $0.connection.id == follower }
            updateRingObservers()
        }
        updateRingObservers()
    }

    /// Rings report new lines only while someone follows them, so relaying costs nothing extra otherwise.
    func updateRingObservers() {
        for (id, service) in io {
            let watchers = followers.filter { $0.services.contains(id) }.map { $0.connection }
            if watchers.isEmpty {
                service.ring.observer = nil
            } else {
                let name = service.name
                service.ring.observer = { line in
                    let params = LogEntry(service: name, line: line).json
                    for connection in watchers where connection.isOpen {
                        connection.notify(method: LogEntry.notificationMethod, params: params)
                    }
                }
            }
        }
    }
}
