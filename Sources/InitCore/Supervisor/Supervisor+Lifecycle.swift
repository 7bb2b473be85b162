extension Supervisor {
    mutating func serviceSpawned(_ id: ServiceID, pid: Int32, startTime: UnixTime?, now: Instant) {
        guard records.contains(id), records[id].state == .starting else { return }
        let spec = records[id].spec
        records[id].pid = pid
        records[id].startedAt = now
        records[id].startTime = startTime
        records[id].everStarted = true
        records[id].exitCode = nil
        records[id].signals = ReadinessSignals()
        records[id].announcedReady = false
        records[id].readinessProbe = spec.readinessProbe.map { ProbeSchedule(config: $0, spawnedAt: now) }
        records[id].livenessProbe = spec.livenessProbe.map { ProbeSchedule(config: $0, spawnedAt: now) }
        setState(id, spec.isDaemon ? .launching : .running, now: now, reason: "started (pid \(pid))")
        if let purpose = records[id].stopWhenSpawned {
            records[id].stopWhenSpawned = nil
            beginStop(id, purpose, now: now)
        } else {
            updateReadiness(id)
        }
    }

    /// A spawn error is a failure with a shell-style code (127/126); it is not restarted: the same spawn
    /// would fail the same way.
    mutating func serviceFailedToSpawn(_ id: ServiceID, reason: String, exitCode: Int32, now: Instant) {
        guard records.contains(id), records[id].state == .starting else { return }
        records[id].stopWhenSpawned = nil
        records[id].detail = reason
        records[id].exitCode = exitCode
        records[id].lastExit = nil
        setState(id, .failed, now: now, reason: "failed to start: \(reason)")
        guard case .running = phase else { return }
        applyEndRules(id, succeeded: false, code: exitCode, decision: .finish(exhausted: false), now: now)
    }

    /// The main process is gone but its process group is not. A stop in progress goes on (the group still
    /// gets SIGKILL at the stop's timeout); a daemon's launcher that left its daemon in its group has launched;
    /// otherwise the rest of the group is stopped with the service's shutdown rules, and the restart policy
    /// decides on the main process's end once the group is gone (systemd does the same with its cgroups).
    mutating func leaderExited(_ id: ServiceID, _ termination: ChildTermination, now: Instant) {
        guard records.contains(id), records[id].pid != nil, records[id].leaderExit == nil else { return }
        records[id].leaderExit = termination
        records[id].lastExit = termination
        records[id].exitCode = termination.shellCode
        let name = records[id].name
        let ending = LogText.ending(termination)
        switch records[id].state {
        case .launching where isSuccess(id, termination) && records[id].stop == nil:
            setState(id, .launched, now: now, reason: "launched (daemon; its process group is watched)")
            updateReadiness(id)
        case .running, .launching, .launched:
            log("\(name) main process \(ending) while its process group still runs: stopping the group")
            sendStop(id, .restartPolicyAfterLeaderExit(termination), now: now)
        case .pending, .starting, .restarting, .stopping, .completed, .failed, .stopped, .skipped, .disabled,
            .notSelected:
            break
        }
    }

    func isSuccess(_ id: ServiceID, _ termination: ChildTermination) -> Bool {
        if case .exited(let code) = termination { records[id].spec.isSuccess(exitCode: code) } else { false }
    }

    /// The service's process group is gone (its leader's termination given). Whatever happened before — a
    /// stop, a leader that left its group behind, a launched daemon — ends here.
    mutating func processExited(_ id: ServiceID, _ termination: ChildTermination, now: Instant) {
        guard records.contains(id), records[id].pid != nil || records[id].state == .starting else { return }
        let groupOutlivedLeader = records[id].leaderExit != nil
        records[id].everStarted = true
        records[id].pid = nil
        records[id].leaderExit = nil
        records[id].lastExit = termination
        records[id].exitCode = termination.shellCode
        let succeeded = isSuccess(id, termination)

        if records[id].state == .launching && succeeded && records[id].stop == nil {
            setState(id, .launched, now: now, reason: "launched (daemon)")
            updateReadiness(id)
            return
        }
        if records[id].state == .launched && groupOutlivedLeader && records[id].stop == nil {
            // The daemon stayed in its launcher's group, and that group is gone now: the daemon ended.
            stopProbes(id)
            serviceEnded(
                id, succeeded: succeeded, code: termination.shellCode, ending: "ended (its process group is gone)",
                now: now)
            return
        }
        stopProbes(id)
        records[id].stopWhenSpawned = nil
        if let stop = records[id].stop {
            records[id].stop = nil
            serviceDownAfterStop(
                id, purpose: stop.purpose, ending: LogText.ending(termination), code: termination.shellCode, now: now)
        } else {
            serviceEnded(
                id, succeeded: succeeded, code: termination.shellCode, ending: LogText.ending(termination), now: now)
        }
    }

    /// A stopped service is down (its process exited, or its daemon's shutdown command finished).
    mutating func serviceDownAfterStop(_ id: ServiceID, purpose: StopPurpose, ending: String, code: Int32, now: Instant)
    {
        switch purpose {
        case .stayDown:
            setState(id, .stopped, now: now, reason: "stopped (\(ending))")
            // A control stop of an `exit_on_end` service (the main command included) ends the run too.
            if case .running = phase, records[id].spec.availability.exitOnEnd {
                beginRunStop(.serviceEnded(id, code: code), now: now)
            }
        case .restartNow:
            guard case .running = phase else {
                setState(id, .stopped, now: now, reason: "stopped (\(ending))")
                return
            }
            spawn(id, now: now, reason: "\(ending), restarting now")
        case .restartPolicyAfterLivenessFailure:
            serviceEnded(id, succeeded: false, code: code == 0 ? 1 : code, ending: ending, now: now)
        case .replace(let spec):
            records[id].spec = spec
            guard case .running = phase else {
                setState(id, .stopped, now: now, reason: "stopped (\(ending))")
                return
            }
            spawn(id, now: now, reason: "\(ending), starting again with its new definition")
        case .restartPolicyAfterLeaderExit(let leader):
            serviceEnded(
                id, succeeded: isSuccess(id, leader), code: leader.shellCode,
                ending: "\(LogText.ending(leader)); its process group is gone", now: now)
        }
    }

    /// A process ended on its own (or after a liveness failure): the restart policy decides, unless the run
    /// is stopping, when nothing restarts.
    mutating func serviceEnded(_ id: ServiceID, succeeded: Bool, code: Int32, ending: String, now: Instant) {
        guard case .running = phase else {
            setState(id, succeeded ? .completed : .failed, now: now, reason: ending)
            return
        }
        let decision = RestartDecision.decide(
            availability: records[id].spec.availability, succeeded: succeeded, failureCode: code,
            restartsSoFar: records[id].restarts
        )
        switch decision {
        case .restart:
            scheduleRestart(id, ending: ending, now: now)
        case .finish(let exhausted), .endRun(_, let exhausted):
            let restarts = records[id].restarts
            let giveUp = exhausted ? ", giving up after \(LogText.count(restarts, "restart"))" : ""
            setState(id, succeeded ? .completed : .failed, now: now, reason: ending + giveUp)
            applyEndRules(id, succeeded: succeeded, code: code, decision: decision, now: now)
        }
    }

    /// `exit_on_failure` and `exit_on_end` for a service that ended for good.
    mutating func applyEndRules(_ id: ServiceID, succeeded: Bool, code: Int32, decision: RestartDecision, now: Instant)
    {
        let availability = records[id].spec.availability
        if case .endRun(let runCode, let exhausted) = decision {
            beginRunStop(exhausted ? .restartsExhausted(id) : .serviceFailed(id, code: runCode), now: now)
        } else if availability.restart == .exitOnFailure && !succeeded {
            beginRunStop(.serviceFailed(id, code: code), now: now)
        } else if availability.exitOnEnd {
            beginRunStop(
                .serviceEnded(id, code: ExitCodePolicy.endCode(succeeded: succeeded, shellCode: code)), now: now)
        }
    }

    /// Backoff doubles for each restart in a row of a process that ran under 10 s, up to `maxBackoff`.
    mutating func scheduleRestart(_ id: ServiceID, ending: String, now: Instant) {
        let ranFor = records[id].startedAt.map { now - $0 } ?? .zero
        if ranFor >= RestartBackoff.resetAfter { records[id].quickRestartsInARow = 0 }
        let availability = records[id].spec.availability
        let delay = RestartBackoff.delay(
            base: availability.backoff, max: availability.maxBackoff,
            quickRestartsInARow: records[id].quickRestartsInARow
        )
        records[id].quickRestartsInARow += 1
        records[id].restarts += 1
        records[id].restartAt = now + delay
        setState(id, .restarting, now: now, reason: "\(ending), restarting in \(LogText.duration(delay))")
    }
}
