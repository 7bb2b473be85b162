extension Supervisor {
    // MARK: One service

    /// Stop one service: its `shutdown.command` (SIGKILL to the group if that fails or times out), or its
    /// `shutdown.signal` to its process group (to the pid with `parent_only`); SIGKILL to the group at
    /// `shutdown.timeout` in every case. Idempotent: a service already stopping only has its purpose updated.
    mutating func beginStop(_ id: ServiceID, _ purpose: StopPurpose, now: Instant) {
        let record = records[id]
        switch record.state {
        case .starting:
            records[id].stopWhenSpawned = Self.stronger(record.stopWhenSpawned, purpose)
        case .stopping:
            records[id].stop?.purpose = Self.stronger(record.stop?.purpose, purpose)
        case .running, .launching, .launched:
            sendStop(id, purpose, now: now)
        case .pending, .restarting:
            records[id].restartAt = nil
            setState(id, .stopped, now: now, reason: "cancelled")
        case .completed, .failed, .stopped, .skipped, .disabled, .notSelected:
            break
        }
    }

    /// The run's stop overrides a restart; a control restart overrides a liveness restart; the restart policy
    /// after a leader's exit keeps the leader's end (it is the service's real end).
    static func stronger(_ current: StopPurpose?, _ new: StopPurpose) -> StopPurpose {
        switch (current, new) {
        case (.stayDown?, _), (_, .stayDown): .stayDown
        case (.restartNow?, _), (_, .restartNow): .restartNow
        case (.restartPolicyAfterLeaderExit?, _), (.replace?, _): current!
        default: new
        }
    }

    mutating func sendStop(_ id: ServiceID, _ purpose: StopPurpose, now: Instant) {
        let shutdown = records[id].spec.shutdown
        stopProbes(id)
        records[id].stop = StopProgress(
            purpose: purpose, startedAt: now, killAt: now + shutdown.timeout,
            commandRunning: shutdown.command != nil, killSent: false
        )
        if case .stopping(let runStop) = phase, runStop.killedEverything, let pid = records[id].pid {
            // A process spawned after the stop escalated gets no grace.
            records[id].stop?.killSent = true
            setState(id, .stopping, now: now, reason: "killed (stop escalated)")
            output.append(.signal(pid: pid, signal: SignalPolicy.Number.kill, toGroup: true))
        } else if shutdown.command != nil {
            setState(id, .stopping, now: now, reason: "stopping (shutdown command)")
            output.append(.runShutdownCommand(id, timeout: shutdown.timeout))
            // A frozen (SIGSTOPped) service could not act on what the command asks of it.
            if let pid = records[id].pid {
                output.append(.signal(pid: pid, signal: SignalPolicy.Number.cont, toGroup: true))
            }
        } else if let pid = records[id].pid {
            // Once the leader is reaped its pid may be reused: only the group (which pins the number) is safe.
            let toGroup = !shutdown.parentOnly || records[id].leaderExit != nil
            setState(id, .stopping, now: now, reason: "stopping (\(LogText.signalName(shutdown.signal)))")
            output.append(.signal(pid: pid, signal: shutdown.signal, toGroup: toGroup))
            // systemd's rule: a stopped (SIGSTOP, job control, a paused container) process runs its handler only
            // once continued; otherwise its cleanup is lost to the SIGKILL at the timeout.
            output.append(.signal(pid: pid, signal: SignalPolicy.Number.cont, toGroup: toGroup))
        } else {
            // A launched daemon has no pid of ours: only a shutdown command can reach it.
            setState(id, .stopping, now: now)
            records[id].stop = nil
            serviceDownAfterStop(
                id, purpose: purpose, ending: "daemon has no pid and no shutdown command; left to the final cleanup",
                code: 0, now: now
            )
        }
    }

    mutating func shutdownCommandFinished(_ id: ServiceID, success: Bool, now: Instant) {
        guard records.contains(id), var stop = records[id].stop, stop.commandRunning else { return }
        stop.commandRunning = false
        records[id].stop = stop
        let name = records[id].name
        if let pid = records[id].pid {
            guard !success, !stop.killSent else { return }
            records[id].stop?.killSent = true
            log("\(name) shutdown command failed, killing")
            output.append(.signal(pid: pid, signal: SignalPolicy.Number.kill, toGroup: true))
        } else {
            // A launched daemon: the command is the only stop there is.
            records[id].stop = nil
            let ending = success ? "shutdown command done" : "shutdown command failed; left to the final cleanup"
            serviceDownAfterStop(id, purpose: stop.purpose, ending: ending, code: success ? 0 : 1, now: now)
        }
    }

    // MARK: The whole run

    mutating func stopRequested(signal: Int32, now: Instant) {
        stopRequested(.stopSignal(signal), escalation: "second stop signal (\(LogText.signalName(signal)))", now: now)
    }

    /// A stop signal or `pcinit down`: the first starts the run's stop, the next (of either kind) escalates.
    mutating func stopRequested(_ cause: RunStopCause, escalation: String, now: Instant) {
        stopSignalsReceived += 1
        switch phase {
        case .notBegun, .running:
            beginRunStop(cause, now: now)
        case .stopping(let stop):
            if stopSignalsReceived >= 2 && !stop.killedEverything { killEverything(because: escalation, now: now) }
        case .exited:
            break
        }
    }

    /// Begin the run's stop (once): readiness drops at once, nothing restarts, services that have not
    /// started are cancelled, and `advanceRunStop` stops the rest.
    mutating func beginRunStop(_ cause: RunStopCause, now: Instant) {
        switch phase {
        case .notBegun, .running: break
        case .stopping, .exited: return
        }
        log("stopping all services: \(describe(cause))")
        let topLevel = records.filter { $0.takesPart }.map { $0.shutdownLevel }.max() ?? 0
        phase = .stopping(RunStop(cause: cause, killEverythingAt: now + stopTimeout, level: topLevel))
        for id in records.ids where records[id].state == .pending || records[id].state == .restarting {
            beginStop(id, .stayDown, now: now)
        }
    }

    func describe(_ cause: RunStopCause) -> String {
        switch cause {
        case .stopSignal(let signal): "\(LogText.signalName(signal)) received"
        case .downRequested: "down requested"
        case .serviceEnded(let id, _): "\(records[id].name) ended (exit_on_end)"
        case .serviceFailed(let id, _): "\(records[id].name) failed (exit_on_failure)"
        case .restartsExhausted(let id): "\(records[id].name) used up its restarts (exit_on_failure)"
        case .skipped(let id): "\(records[id].name) was skipped (exit_on_skipped)"
        }
    }

    /// Ordered: stop the highest level; the next level only once every service at or above it is down.
    /// Unordered: everything at once. When nothing is up: exit.
    mutating func advanceRunStop(now: Instant) {
        guard case .stopping(var stop) = phase else { return }
        if orderedShutdown {
            while stop.level >= 0 {
                for id in records.ids where records[id].shutdownLevel == stop.level && records[id].state.isUp {
                    beginStop(id, .stayDown, now: now)
                }
                if records.contains(where: { $0.shutdownLevel >= stop.level && $0.state.isUp }) { break }
                stop.level -= 1
            }
            phase = .stopping(stop)
        } else {
            for id in records.ids where records[id].state.isUp { beginStop(id, .stayDown, now: now) }
        }
        guard !records.contains(where: { $0.state.isUp }) else { return }
        let mainExitCode = mainID.flatMap { records[$0].exitCode }
        let code = ExitCodePolicy.code(for: stop.cause, mainExitCode: mainExitCode)
        phase = .exited(code: code)
        output.append(.exit(code: code))
    }

    /// SIGKILL every process group still up, whatever level it is at; launched daemons with a shutdown command
    /// still running are given up on (the final orphan cleanup gets them).
    mutating func killEverything(because reason: String, now: Instant) {
        guard case .stopping(var stop) = phase else { return }
        stop.killedEverything = true
        phase = .stopping(stop)
        var killed: [String] = []
        var signals: [SupervisorAction] = []
        for id in records.ids where records[id].state.isUp {
            if let pid = records[id].pid {
                if records[id].stop?.killSent == true { continue }
                if records[id].state != .stopping {
                    stopProbes(id)
                    setState(id, .stopping, now: now)
                    records[id].stop = StopProgress(
                        purpose: .stayDown, startedAt: now, killAt: now, commandRunning: false, killSent: true
                    )
                }
                records[id].stop?.purpose = .stayDown
                records[id].stop?.killSent = true
                killed.append(records[id].name)
                signals.append(.signal(pid: pid, signal: SignalPolicy.Number.kill, toGroup: true))
            } else if records[id].state == .starting {
                records[id].stopWhenSpawned = .stayDown
            } else {
                records[id].stop = nil
                serviceDownAfterStop(
                    id, purpose: .stayDown, ending: "given up on; left to the final cleanup", code: 0, now: now)
            }
        }
        guard !killed.isEmpty else { return }
        log("\(reason), killing \(killed.joined(separator: ", "))")
        output += signals
    }
}
