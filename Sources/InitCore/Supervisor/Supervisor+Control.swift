/// Control socket requests. Each is answered by exactly one `.controlReply`, after the actions it caused.
/// - start: a service that ended, was skipped, or is disabled goes back to pending and starts once its
///   dependencies hold (they are evaluated again; one that cannot hold skips it again). A restarting one
///   skips the rest of its backoff.
/// - stop: stop it with its shutdown rules; it stays down (no restart) until started again.
/// - restart: stop it, then spawn it again at once (no backoff, not counted in `restarts`); a service that
///   is not up is started as by `start`.
extension Supervisor {
    /// One control request: each named service in order, then one reply with every outcome (or a refusal).
    mutating func control(_ order: ControlOrder, token: ControlToken, now: Instant) {
        controlOutcomes = []
        switch order {
        case .query:
            controlReply = .controlReply(token, .answer)
            return
        case .start(let names):
            for name in names { controlStart(name, now: now) }
        case .stop(let names):
            for name in names { controlStop(name, now: now) }
        case .restart(let names):
            for name in names { controlRestart(name, now: now) }
        case .signal(let name, let signal):
            controlSignal(name, signal)
        case .scale(let name, let replicas, let specs):
            scale(name, to: replicas, specs: specs, now: now)
        case .reload(let config, let stopTimeout):
            guard case .running = phase else {
                controlReply = .controlReply(
                    token, .refused(isStopping ? "pcinit is stopping" : "pcinit has not started"))
                return
            }
            reload(config, now: now)
            if stopTimeout != self.stopTimeout {
                reply("stop_timeout", true, "stop_timeout is now \(LogText.duration(stopTimeout))")
                self.stopTimeout = stopTimeout
            }
        case .down:
            let first = !isStopping
            stopRequested(.downRequested, escalation: "second down request", now: now)
            controlReply = .controlReply(
                token, .accepted(first ? "down requested: stopping" : "down requested again: killing what is left"))
            return
        }
        controlReply = .controlReply(token, .outcomes(controlOutcomes))
        controlOutcomes = []
    }

    /// `pcinit signal NAME SIGNAL`: to the service's process group (its pid with `parent_only`).
    mutating func controlSignal(_ name: String, _ signal: Int32) {
        guard let id = service(named: name) else {
            reply(name, false, "no service named \(name)")
            return
        }
        guard let pid = records[id].pid else {
            reply(name, false, "\(name) is not running")
            return
        }
        let toGroup = !records[id].spec.shutdown.parentOnly || records[id].leaderExit != nil
        output.append(.signal(pid: pid, signal: signal, toGroup: toGroup))
        let target = toGroup ? "process group \(pid)" : "pid \(pid)"
        reply(name, true, "sent \(LogText.signalName(signal)) to \(name) (\(target))")
    }

    mutating func controlStart(_ name: String, now: Instant) {
        guard let id = controllable(name) else { return }
        switch records[id].state {
        case .pending:
            reply(name, true, "\(name) is waiting for its dependencies")
        case .starting, .running, .launching, .launched:
            reply(name, true, "\(name) is already running")
        case .stopping:
            reply(name, false, "\(name) is stopping; start it once it has stopped")
        case .restarting:
            spawn(id, now: now, reason: "started by request")
            reply(name, true, "\(name) starting")
        case .completed, .failed, .stopped, .skipped, .disabled, .notSelected:
            startAgain(id, now: now)
        }
    }

    mutating func controlStop(_ name: String, now: Instant) {
        guard let id = controllable(name) else { return }
        if records[id].state.isUp || records[id].state == .pending || records[id].state == .restarting {
            beginStop(id, .stayDown, now: now)
            reply(name, true, records[id].state == .stopped ? "\(name) stopped" : "\(name) stopping")
        } else {
            reply(name, true, "\(name) is not running")
        }
    }

    mutating func controlRestart(_ name: String, now: Instant) {
        guard let id = controllable(name) else { return }
        switch records[id].state {
        case .starting, .running, .launching, .launched, .stopping:
            beginStop(id, .restartNow, now: now)
            reply(name, true, "\(name) restarting")
        case .pending, .restarting, .completed, .failed, .stopped, .skipped, .disabled, .notSelected:
            controlStart(name, now: now)
        }
    }

    /// The service's id if it exists and the run accepts control requests; otherwise reply and return nil.
    mutating func controllable(_ name: String) -> ServiceID? {
        guard let id = service(named: name) else {
            reply(name, false, "no service named \(name)")
            return nil
        }
        guard case .running = phase else {
            reply(name, false, isStopping ? "pcinit is stopping" : "pcinit has not started its services yet")
            return nil
        }
        return id
    }

    mutating func startAgain(_ id: ServiceID, now: Instant) {
        let name = records[id].name
        let wasTakingPart = records[id].takesPart
        records[id].detail = nil
        records[id].quickRestartsInARow = 0
        setState(id, .pending, now: now, reason: "started by request")
        if !wasTakingPart { warnAboutDependenciesNotInRun(id) }
        startWhatCan(now: now)
        switch records[id].state {
        case .skipped: reply(name, false, "\(name) skipped: \(records[id].detail ?? "")")
        case .pending: reply(name, true, "\(name) is waiting for its dependencies")
        default: reply(name, true, "\(name) starting")
        }
    }

    mutating func reply(_ service: String, _ success: Bool, _ message: String) {
        controlOutcomes.append(ControlOutcome(service: service, ok: success, message: message))
    }
}
